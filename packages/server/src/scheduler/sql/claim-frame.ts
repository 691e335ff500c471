/**
 * Claim a task's next waiting frames for a node (up to `count`, one per slot
 * the node has free): the leases, in one statement.
 *
 *   UPDATE frames SET state = running, owner, expiry, epoch + 1, attempt + 1 …
 *   WHERE id IN (SELECT id FROM frames WHERE task_id = ? AND state = waiting
 *                ORDER BY frame_type, chunk_index LIMIT n)
 *   (on PostgreSQL: id = any(array(SELECT … LIMIT n FOR UPDATE SKIP LOCKED)))
 *     AND state = waiting
 *   RETURNING …
 *
 * The subselect walks the `frames_lease_order` index (priority frames, type 4,
 * sort before main frames, type 5). One statement means two nodes polling at
 * once can never both get the same frame, without a transaction: SQLite runs
 * it atomically, and on PostgreSQL `SKIP LOCKED` sends the second node to the
 * next free frame instead of making it wait. The epoch is bumped here and only
 * here (and when the farm takes a frame back), so every lease carries a
 * fencing token no earlier holder of the frame can present.
 *
 * Design record: reading the candidates and claiming one by id in a second
 * statement lost 40% of claims to races between 8 concurrent node loops
 * (bench/dispatch.ts) and cost a round trip more. Claiming one frame per
 * statement (`LIMIT 1`, `id = (…)`) cost a round trip per frame for a node
 * asking for several; the frames of one statement are locked together by it
 * on PostgreSQL (SKIP LOCKED skips frames another claim holds) and claimed
 * atomically on SQLite, so the batch keeps the single claim's guarantees.
 * Fewer frames than asked means the task has no more free waiting frames now.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import type { StoreDialect } from '../../store/store.js';
import '../tables.js';

export interface ClaimedFrame {
  readonly id: number;
  readonly taskId: number;
  readonly userId: number;
  readonly epoch: number;
  readonly attempt: number;
  readonly frameIndex: string;
  readonly frameNumbers: number[];
  readonly frameType: number;
  readonly leaseExpiresAt: number;
}

export async function claimFrames(
  db: Kysely<Database>,
  dialect: StoreDialect,
  taskId: number,
  owner: string,
  now: number,
  ttlMs: number,
  count: number,
): Promise<ClaimedFrame[]> {
  if (count <= 0) return [];
  const rows = await claimFramesQuery(db, dialect, taskId, owner, now, ttlMs, count).execute();
  // RETURNING follows no order: the node gets its frames in the task's lease order.
  rows.sort((a, b) => a.frame_type - b.frame_type || a.chunk_index - b.chunk_index);
  return rows.map((r) => ({
    id: r.id,
    taskId: r.task_id,
    userId: r.user_id,
    epoch: Number(r.lease_epoch),
    attempt: Number(r.attempt),
    frameIndex: r.frame_index,
    frameNumbers: JSON.parse(r.frame_numbers) as number[],
    frameType: r.frame_type,
    leaseExpiresAt: Number(r.lease_expires_at),
  }));
}

/** The statement itself, apart so a test can read its plan. `count` must be positive. */
export function claimFramesQuery(
  db: Kysely<Database>,
  dialect: StoreDialect,
  taskId: number,
  owner: string,
  now: number,
  ttlMs: number,
  count: number,
) {
  let next = db
    .selectFrom('frames as n')
    .select('n.id')
    .where('n.task_id', '=', taskId)
    .where('n.state', '=', FrameStatus.WAITING)
    .orderBy('n.frame_type')
    .orderBy('n.chunk_index')
    .limit(count);
  if (dialect === 'postgres') next = next.forUpdate().skipLocked();
  return (
    db
      .updateTable('frames')
      .set({
        state: FrameStatus.RUNNING,
        lease_owner: owner,
        lease_expires_at: now + ttlMs,
        lease_epoch: sql<number>`lease_epoch + 1`,
        attempt: sql<number>`attempt + 1`,
        started_at: now,
        ended_at: null,
        progress: 0,
        node_name: owner,
        last_error: null,
        updated_at: now,
      })
      // On PostgreSQL `id IN (subquery)` may be run as a join that reads the subquery again for
      // each row, and with SKIP LOCKED each reading locks different frames: asked for 4, a claim
      // took 68 (test/scheduler-batch-claim.test.ts). `= any(array(…))` is evaluated once.
      .where(dialect === 'postgres' ? sql<boolean>`id = any(array(${next}))` : sql<boolean>`id in (${next})`)
      // The guard is written `+state` so that no index serves it and the listed ids are looked up
      // by key. On the bare column SQLite walked every waiting frame of the farm (frames_state_expiry)
      // testing each against the list — 47 frames/s with 1,000,000 queued
      // (test/scheduler-lease-plan.test.ts). The value tested is the same.
      .where(sql<number>`+state`, '=', FrameStatus.WAITING)
      .returning([
        'id',
        'task_id',
        'user_id',
        'lease_epoch',
        'attempt',
        'frame_index',
        'frame_numbers',
        'frame_type',
        'chunk_index',
        'lease_expires_at',
      ])
  );
}
