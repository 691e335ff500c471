/** The task list (getTaskList): top-level tasks of the caller, filtered and paged, newest first. */
import type { TaskInfo } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { type Page, pageOf } from '../http/paging.js';
import { taskInfos } from './task-info.js';
import { visibleOwnerIds } from './visibility.js';

export interface TaskListQuery {
  pageNum: number;
  pageSize: number;
  statusList?: readonly number[] | undefined;
  searchKeyword?: string | undefined;
  /** `yyyy-MM-dd[ HH:mm:ss]`, UTC, compared with the task's creation time. */
  startTime?: string | undefined;
  endTime?: string | undefined;
  /** 1: the recycle bin only. */
  recycleFlag?: 0 | 1 | undefined;
  /** Only this project's tasks (an openfarm addition, for the dashboard's filter). */
  projectName?: string | undefined;
}

/** Reference date-time text → ms epoch (UTC); a bare date means its first (or, for an end, last) second. */
export function parseDateTime(text: string, end: boolean): number {
  const withTime = text.length === 10 ? `${text} ${end ? '23:59:59' : '00:00:00'}` : text;
  return Date.parse(`${withTime.replace(' ', 'T')}Z`) + (end ? 999 : 0);
}

/**
 * Escape LIKE wildcards so a keyword matches literally. The escape character
 * is "!" rather than a backslash, whose literal spelling differs between
 * SQLite and PostgreSQL.
 */
function likePattern(keyword: string): string {
  return `%${keyword.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

export async function listTasks(
  db: Kysely<Database>,
  user: UserRow,
  q: TaskListQuery,
): Promise<Page<TaskInfo>> {
  const owners = await visibleOwnerIds(db, user);
  let base = db
    .selectFrom('tasks')
    .where('user_id', 'in', owners)
    .where('parent_id', 'is', null)
    .where('is_delete', '=', q.recycleFlag === 1 ? 1 : 0);
  if (q.statusList !== undefined && q.statusList.length > 0)
    base = base.where('status', 'in', [...q.statusList]);
  if (q.projectName !== undefined && q.projectName !== '')
    base = base.where('project_name', '=', q.projectName);
  if (q.searchKeyword !== undefined && q.searchKeyword.trim() !== '') {
    const pattern = likePattern(q.searchKeyword.trim());
    base = base.where((eb) =>
      eb.or([
        eb(sql`lower(scene_name)`, 'like', sql`lower(${pattern}) escape '!'`),
        eb(sql`cast(id as text)`, 'like', sql`${pattern} escape '!'`),
        eb(sql`lower(alias)`, 'like', sql`lower(${pattern}) escape '!'`),
      ]),
    );
  }
  if (q.startTime !== undefined) base = base.where('created_at', '>=', parseDateTime(q.startTime, false));
  if (q.endTime !== undefined) base = base.where('created_at', '<=', parseDateTime(q.endTime, true));

  const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('id', 'desc')
    .limit(q.pageSize)
    .offset((q.pageNum - 1) * q.pageSize)
    .execute();
  return pageOf(await taskInfos(db, rows), Number(total), q.pageNum, q.pageSize);
}
