/**
 * What a node needs to know about a task to render any of its frames, read
 * once per task (the scheduler caches it): the task row's matching fields, its
 * task.json and upload.json, and whose input storage holds its files.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { type JobFileSource, readJobFile } from '../../tasks/job-files.js';

export interface TaskRenderRow {
  readonly id: number;
  readonly userId: number;
  /** The user whose input storage holds the task's files (a sharing sub-account reads its main account's). */
  readonly inputOwnerId: number;
  readonly platform: number;
  readonly cgId: number | null;
  readonly hardwareConfigId: number | null;
  readonly gpuNum: string | null;
  readonly layerName: string;
  readonly outputFolder: string;
  readonly taskJson: string | undefined;
  readonly uploadJson: string | undefined;
}

export async function taskRenderSpec(
  db: Kysely<Database>,
  sources: readonly JobFileSource[],
  taskId: number,
): Promise<TaskRenderRow | undefined> {
  const t = await db
    .selectFrom('tasks as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id',
      't.user_id',
      't.parent_id',
      't.platform',
      't.cg_id',
      't.hardware_config_id',
      't.gpu_num',
      't.layer_name',
      't.output_file_name',
      'u.main_user_id',
      'u.share_main_capital',
    ])
    .where('t.id', '=', taskId)
    .executeTakeFirst();
  if (t === undefined) return undefined;
  // Child (layer) tasks render from their parent's job files.
  const filesOf = t.parent_id ?? t.id;
  return {
    id: t.id,
    userId: t.user_id,
    inputOwnerId: t.share_main_capital !== 0 && t.main_user_id !== null ? t.main_user_id : t.user_id,
    platform: t.platform,
    cgId: t.cg_id,
    hardwareConfigId: t.hardware_config_id,
    gpuNum: t.gpu_num,
    layerName: t.layer_name,
    outputFolder: t.output_file_name,
    taskJson: await readJobFile(db, sources, t.user_id, filesOf, 'task.json'),
    uploadJson: await readJobFile(db, sources, t.user_id, filesOf, 'upload.json'),
  };
}
