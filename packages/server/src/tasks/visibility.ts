/**
 * Which tasks a caller may see and act on: its own, and for a main account
 * also those of its sub-accounts (the reference lets a main account manage and
 * download its sub-accounts' work). Anything else answers exactly like a
 * missing task, so ids of other users' tasks reveal nothing.
 */
import { ApiError } from '@openfarm/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { TasksTable } from '../store/core-tables.js';
import type { Database } from '../store/database.js';

export type TaskRow = Selectable<TasksTable>;

/** User ids whose tasks the caller may see. */
export async function visibleOwnerIds(db: Kysely<Database>, user: UserRow): Promise<number[]> {
  if (user.main_user_id !== null) return [user.id];
  const subs = await db.selectFrom('users').select('id').where('main_user_id', '=', user.id).execute();
  return [user.id, ...subs.map((s) => s.id)];
}

export interface RequireTasksOptions {
  /** Also find tasks in the recycle bin (default false). */
  includeDeleted?: boolean;
}

/**
 * Load the given tasks, all of which must exist and be visible to the caller;
 * otherwise 404 naming the first missing id, and nothing is changed.
 */
export async function requireTasks(
  db: Kysely<Database>,
  user: UserRow,
  ids: readonly number[],
  options: RequireTasksOptions = {},
): Promise<TaskRow[]> {
  const unique = [...new Set(ids)];
  const owners = await visibleOwnerIds(db, user);
  let q = db.selectFrom('tasks').selectAll().where('id', 'in', unique).where('user_id', 'in', owners);
  if (options.includeDeleted !== true) q = q.where('is_delete', '=', 0);
  const rows = await q.execute();
  if (rows.length !== unique.length) {
    const found = new Set(rows.map((r) => r.id));
    const missing = unique.find((id) => !found.has(id));
    throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `task ${missing} not found` });
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return unique.map((id) => byId.get(id)!);
}

/** The tasks that carry frames: the children of a parent task, or the task itself. */
export async function leafTaskIds(db: Kysely<Database>, tasks: readonly TaskRow[]): Promise<number[]> {
  if (tasks.length === 0) return [];
  const children = await db
    .selectFrom('tasks')
    .select(['id', 'parent_id'])
    .where(
      'parent_id',
      'in',
      tasks.map((t) => t.id),
    )
    .execute();
  const parents = new Set(children.map((c) => c.parent_id));
  return [...tasks.filter((t) => !parents.has(t.id)).map((t) => t.id), ...children.map((c) => c.id)];
}
