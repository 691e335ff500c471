/**
 * The tasks a node could lease frames from, best first.
 *
 * Order (ARCHITECTURE, Scheduling): priority frames (`pre_frames`, frame type 4)
 * of every task before any main frame; then the task's `taskUserLevel` (higher
 * first); then submit time (older first); then the frame's place in its task.
 *
 * The live tasks (waiting/rendering, not deleted) that have a waiting frame,
 * software the node has (by cg_id), its platform, and that the node is not
 * blocklisted on, minus tasks the caller ruled out (version or hardware
 * mismatch, decided in matching.ts on the cached task). Filtering in SQL means
 * a long queue the node cannot take never hides a task it can. The frame
 * within the task is chosen by the claim (claim-frame.ts).
 *
 * Design record: the first version was one query over all waiting frames
 * joined to their tasks and sorted; it sorted every waiting frame on every
 * lease and fell to 74 frames/s with 5000 queued (bench/dispatch.ts). Ordering
 * tasks (few) and letting the claim take a task's next frame off the
 * `frames_lease_order` index keeps a lease's cost independent of queue length.
 * That held until SQLite learned to flatten `exists` into a join (see
 * `waiting` below): then a lease cost O(waiting frames) again, 287 frames/s
 * with 1,000 queued and 21 with 100,000. The `limit 1` subqueries keep the
 * plan at one index probe per task (test/scheduler-lease-plan.test.ts).
 */
import { FrameStatus, FrameType, TaskStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export interface TaskFilter {
  readonly workerId: number;
  readonly cgIds: readonly number[];
  readonly platform: number | null;
  readonly blocklistAfter: number;
  readonly excludeTaskIds: readonly number[];
  readonly limit: number;
}

export async function leaseTasks(db: Kysely<Database>, f: TaskFilter): Promise<number[]> {
  if (f.cgIds.length === 0) return [];
  const rows = await leaseTasksQuery(db, f).execute();
  return rows.map((r) => r.id);
}

/** The statement itself, apart so a test can read its plan. `f.cgIds` must not be empty. */
export function leaseTasksQuery(db: Kysely<Database>, f: TaskFilter) {
  // `limit 1` keeps each test a correlated probe of one index entry. Without
  // it SQLite (3.47+) turns the WHERE's `exists` into a join, and together
  // with the ORDER BY's sort that join walked every waiting frame of every
  // candidate task: 8 ms a lease with 20,000 queued, 54 ms with 50,000.
  const waiting = (type?: number) =>
    sql<boolean>`exists (select 1 from frames w where w.task_id = t.id and w.state = ${FrameStatus.WAITING}${
      type === undefined ? sql`` : sql` and w.frame_type = ${type}`
    } limit 1)`;
  let q = db
    .selectFrom('tasks as t')
    .select('t.id')
    .where('t.status', 'in', [TaskStatus.WAITING, TaskStatus.RENDERING])
    .where('t.is_delete', '=', 0)
    // A task whose frames are still being written is leased once the last one exists.
    .where('t.creating_frames', '=', 0)
    .where('t.cg_id', 'in', [...f.cgIds])
    .where(waiting())
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('worker_task_failures as b')
            .select('b.task_id')
            .whereRef('b.task_id', '=', 't.id')
            .where('b.worker_id', '=', f.workerId)
            .where('b.failures', '>=', f.blocklistAfter),
        ),
      ),
    );
  if (f.platform !== null) q = q.where('t.platform', '=', f.platform);
  if (f.excludeTaskIds.length > 0) q = q.where('t.id', 'not in', [...f.excludeTaskIds]);
  return q
    .orderBy(sql`case when ${waiting(FrameType.PRIORITY)} then 0 else 1 end`)
    .orderBy('t.task_user_level', 'desc')
    .orderBy('t.submit_date')
    .orderBy('t.id')
    .limit(f.limit);
}
