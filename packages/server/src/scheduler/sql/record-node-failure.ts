/**
 * Count a failed frame of a task against the node that rendered it. At
 * `blocklistAfter` failures the lease query keeps that node off the task (a
 * node missing a plugin or a mount fails every frame it touches; without this
 * it would burn through all of the task's retries).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

/** Returns the node's failure count on the task after this one. */
export async function recordNodeFailure(
  db: Kysely<Database>,
  workerId: number,
  taskId: number,
  now: number,
): Promise<number> {
  const r = await db
    .insertInto('worker_task_failures')
    .values({ worker_id: workerId, task_id: taskId, failures: 1, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['worker_id', 'task_id']).doUpdateSet({
        failures: sql<number>`worker_task_failures.failures + 1`,
        updated_at: now,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(r.failures);
}
