/**
 * Tasks past their whole-task timeout (`task_stop_time`, seconds, 0 = none),
 * counted from when their first frame started. The scheduler stops them with
 * status 23 (stopped by timeout).
 */
import { TaskStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';

export async function overdueTasks(
  db: Kysely<Database>,
  now: number,
): Promise<Array<{ id: number; userId: number; status: number }>> {
  const rows = await db
    .selectFrom('tasks')
    .select(['id', 'user_id', 'status'])
    .where('status', 'in', [TaskStatus.WAITING, TaskStatus.RENDERING, TaskStatus.TEST_DONE])
    .where('task_stop_time', '>', 0)
    .where('start_time', 'is not', null)
    // task_stop_time is a 32-bit integer: × 1000 in bigint, or a limit past
    // 24.8 days overflows, an error on PostgreSQL that fails the whole reaper pass.
    .where(sql<boolean>`start_time + cast(task_stop_time as bigint) * 1000 < ${now}`)
    .execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, status: r.status }));
}
