/**
 * The next frames a node could lease, best first.
 *
 * Order (ARCHITECTURE, Scheduling): priority frames (`pre_frames`, frame type 4)
 * of every task before any main frame; then the task's `taskUserLevel` (higher
 * first); then submit time (older first); then the frame's place in its task.
 *
 * Filtering done here, in SQL, so a long queue of frames the node cannot take
 * never hides one it can: waiting frames of live (waiting/rendering, not
 * deleted) tasks, software the node has (by cg_id), its platform, and not a
 * task the node is blocklisted on or one the caller already ruled out (a
 * version or hardware mismatch, decided in matching.ts on the cached task).
 *
 * Design record: the candidate read and the claim (claim-frame.ts) are two
 * statements, not one `UPDATE … WHERE id = (SELECT …)`. On SQLite the whole
 * server is one writer, so nothing can take the frame in between; across
 * PostgreSQL replicas the claim's `state = waiting` guard makes the loser of a
 * race move on to the next candidate instead of double-leasing. A small LIMIT
 * keeps the sort cheap while letting the caller skip a few mismatches.
 */
import { FrameStatus, FrameType, TaskStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export interface LeaseCandidate {
  readonly frameId: number;
  readonly taskId: number;
  readonly epoch: number;
}

export interface CandidateFilter {
  readonly workerId: number;
  readonly cgIds: readonly number[];
  readonly platform: number | null;
  readonly blocklistAfter: number;
  readonly excludeTaskIds: readonly number[];
  readonly limit: number;
}

export async function leaseCandidates(db: Kysely<Database>, f: CandidateFilter): Promise<LeaseCandidate[]> {
  if (f.cgIds.length === 0) return [];
  let q = db
    .selectFrom('frames as f')
    .innerJoin('tasks as t', 't.id', 'f.task_id')
    .select(['f.id as frameId', 'f.task_id as taskId', 'f.lease_epoch as epoch'])
    .where('f.state', '=', FrameStatus.WAITING)
    .where('t.status', 'in', [TaskStatus.WAITING, TaskStatus.RENDERING])
    .where('t.is_delete', '=', 0)
    .where('t.cg_id', 'in', [...f.cgIds])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('worker_task_failures as b')
            .select('b.task_id')
            .whereRef('b.task_id', '=', 'f.task_id')
            .where('b.worker_id', '=', f.workerId)
            .where('b.failures', '>=', f.blocklistAfter),
        ),
      ),
    );
  if (f.platform !== null) q = q.where('t.platform', '=', f.platform);
  if (f.excludeTaskIds.length > 0) q = q.where('f.task_id', 'not in', [...f.excludeTaskIds]);
  return q
    .orderBy(sql`case when f.frame_type = ${FrameType.PRIORITY} then 0 else 1 end`)
    .orderBy('t.task_user_level', 'desc')
    .orderBy('t.submit_date')
    .orderBy('t.id')
    .orderBy('f.chunk_index')
    .limit(f.limit)
    .execute();
}
