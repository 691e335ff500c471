/**
 * The four job files of a task (task.json, upload.json, asset.json, tips.json).
 * `taskJsonFile` stores them in `task_files`; a file uploaded instead to
 * `/<taskId>/cfg/` of the config storage is found through the sources other
 * areas register on `farm.jobFileSources` (the transfer area does).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';

/**
 * Reads a job file of a task from somewhere else than `task_files`; undefined
 * when absent there. It must query through `db`: that is the caller's
 * transaction, and SQLite's single connection would deadlock on another handle.
 */
export type JobFileSource = (
  db: Kysely<Database>,
  userId: number,
  taskId: number,
  fileName: string,
) => Promise<string | undefined>;

export async function storeJobFile(
  db: Kysely<Database>,
  taskId: number,
  fileName: string,
  content: string,
): Promise<void> {
  const now = Date.now();
  await db
    .insertInto('task_files')
    .values({ task_id: taskId, file_name: fileName, content, updated_at: now })
    .onConflict((oc) => oc.columns(['task_id', 'file_name']).doUpdateSet({ content, updated_at: now }))
    .execute();
}

export async function readJobFile(
  db: Kysely<Database>,
  sources: readonly JobFileSource[],
  userId: number,
  taskId: number,
  fileName: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('task_files')
    .select('content')
    .where('task_id', '=', taskId)
    .where('file_name', '=', fileName)
    .executeTakeFirst();
  if (row !== undefined) return row.content;
  for (const source of sources) {
    const content = await source(db, userId, taskId, fileName);
    if (content !== undefined) return content;
  }
  return undefined;
}
