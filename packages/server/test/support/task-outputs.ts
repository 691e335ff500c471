/**
 * A task with output files, as a render node leaves it: a new task of the
 * caller's, its output folder named and its status set, and the files put in
 * the output storage through the transfer API.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RayvisionAPI, RayvisionUpload } from '@openfarm/sdk';
import type { TestFarm } from './farm.js';

export interface TaskOutputs {
  taskId: number;
  /** The output folder, `<taskId>_<name>`. */
  folder: string;
}

export async function taskWithOutputs(
  farm: TestFarm,
  api: RayvisionAPI,
  o: { name: string; status: number; files: Record<string, string> },
): Promise<TaskOutputs> {
  const { taskIdList } = await api.task.createTask();
  const taskId = taskIdList[0] as number;
  const folder = `${taskId}_${o.name}`;
  await farm.server.farm.store.db
    .updateTable('tasks')
    .set({ output_file_name: folder, status: o.status })
    .where('id', '=', taskId)
    .execute();
  const local = await mkdtemp(join(tmpdir(), 'openfarm-task-outputs-'));
  const items = [];
  for (const [name, content] of Object.entries(o.files)) {
    await writeFile(join(local, name), content);
    items.push({ localPath: join(local, name), serverPath: `/${folder}/${name}` });
  }
  try {
    await new RayvisionUpload(api, { env: { HOME: local } }).uploadFiles('output', items, { isDb: false });
  } finally {
    await rm(local, { recursive: true, force: true });
  }
  return { taskId, folder };
}
