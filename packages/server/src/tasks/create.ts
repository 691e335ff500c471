/**
 * createTask: allocate task ids (and aliases `<platform><taskPrefix><id>`)
 * before anything is uploaded, as the reference's check step does.
 */
import { ApiError, TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { allocateIds } from '../store/ids.js';
import { requireTasks } from './visibility.js';

export interface CreateTasksInput {
  count: number;
  taskUserLevel: number;
  /** The `platform` header of the call: the render platform of the new tasks. */
  platform: string | undefined;
  /** The `channel` header (4 = SDK). */
  channel: string | undefined;
  outUserId?: number | undefined;
  labels?: readonly string[] | undefined;
  cloneOriginalId?: number | undefined;
  artist?: string | undefined;
}

export type CreatedTasks = {
  taskIdList: number[];
  aliasTaskIdList: string[];
  userId: number;
};

/** A cloned task.json must name the clone, or submit would refuse it for naming another task. */
function retargetJobFile(fileName: string, content: string, taskId: number): string {
  if (fileName !== 'task.json') return content;
  try {
    const json = JSON.parse(content) as { task_info?: Record<string, unknown> };
    if (typeof json.task_info !== 'object' || json.task_info === null) return content;
    json.task_info.task_id = String(taskId);
    return JSON.stringify(json, null, 2);
  } catch {
    return content; // submit reports the broken file when the clone is submitted
  }
}

export async function createTasks(
  db: Kysely<Database>,
  user: UserRow,
  input: CreateTasksInput,
  path: string,
): Promise<CreatedTasks> {
  const platformNumber = Number(input.platform);
  if (input.platform === undefined || !/^\d{1,6}$/.test(input.platform)) {
    throw ApiError.of('PARAMETER_CANT_BE_EMPTY', {
      path,
      detail: { field: 'platform (header)', reason: 'expected a platform number' },
    });
  }
  return db.transaction().execute(async (trx) => {
    const platform = await trx
      .selectFrom('platforms')
      .selectAll()
      .where('platform', '=', platformNumber)
      .executeTakeFirst();
    if (platform === undefined || platform.status === 0) {
      throw ApiError.of('PARAMETER_INVALID', {
        path,
        detail: {
          field: 'platform (header)',
          reason: `platform ${input.platform} does not exist on this farm`,
        },
      });
    }
    const original =
      input.cloneOriginalId !== undefined
        ? (await requireTasks(trx, user, [input.cloneOriginalId], { includeDeleted: true }))[0]
        : undefined;
    const first = await allocateIds(trx, 'tasks', input.count);
    const now = Date.now();
    const ids = Array.from({ length: input.count }, (_, i) => first + i);
    const aliases = ids.map((id) => `${platform.platform}${platform.task_prefix}${id}`);
    const channel = /^\d{1,3}$/.test(input.channel ?? '') ? Number(input.channel) : 4;
    await trx
      .insertInto('tasks')
      .values(
        ids.map((id, i) => ({
          id,
          user_id: user.id,
          alias: aliases[i]!,
          status: TaskStatus.WAITING,
          platform: platform.platform,
          task_user_level: input.taskUserLevel,
          artist: input.artist ?? '',
          out_user_id: input.outUserId ?? null,
          clone_original_id: original?.id ?? null,
          clone_parent_id: original?.id ?? null,
          channel,
          created_at: now,
        })),
      )
      .execute();
    const labels = [...new Set(input.labels ?? [])].filter((l) => l !== '');
    if (labels.length > 0) {
      const firstLabel = await allocateIds(trx, 'task_labels', labels.length * ids.length);
      await trx
        .insertInto('task_labels')
        .values(
          ids.flatMap((taskId, i) =>
            labels.map((label, j) => ({
              id: firstLabel + i * labels.length + j,
              task_id: taskId,
              user_id: user.id,
              label,
            })),
          ),
        )
        .execute();
    }
    if (original !== undefined) {
      // A clone starts with the original's job files, so it can be submitted without uploading them again.
      const files = await trx
        .selectFrom('task_files')
        .selectAll()
        .where('task_id', '=', original.id)
        .execute();
      for (const id of ids) {
        if (files.length > 0) {
          await trx
            .insertInto('task_files')
            .values(
              files.map((f) => ({
                ...f,
                content: retargetJobFile(f.file_name, f.content, id),
                task_id: id,
                updated_at: now,
              })),
            )
            .execute();
        }
      }
    }
    return { taskIdList: ids, aliasTaskIdList: aliases, userId: user.id };
  });
}
