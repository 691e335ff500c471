/** The first lease of a waiting task starts it: status 5 (rendering) and its start time. */
import { TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';

/** True when the task changed (it was waiting). */
export async function markTaskStarted(db: Kysely<Database>, taskId: number, now: number): Promise<boolean> {
  const r = await db
    .updateTable('tasks')
    .set((eb) => ({ status: TaskStatus.RENDERING, start_time: eb.fn.coalesce('start_time', eb.val(now)) }))
    .where('id', '=', taskId)
    .where('status', '=', TaskStatus.WAITING)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
