/**
 * Claim one waiting frame for a node: the lease. The epoch is bumped here and
 * only here (and when the farm takes a frame back), so every lease carries a
 * fencing token no earlier holder of the frame can present. The `state` and
 * `lease_epoch` guards make the claim fail, not double-lease, if anything moved
 * the frame since it was read.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
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

export async function claimFrame(
  db: Kysely<Database>,
  frame: { id: number; epoch: number },
  owner: string,
  now: number,
  ttlMs: number,
): Promise<ClaimedFrame | undefined> {
  const r = await db
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
    .where('id', '=', frame.id)
    .where('state', '=', FrameStatus.WAITING)
    .where('lease_epoch', '=', frame.epoch)
    .returning([
      'id',
      'task_id',
      'user_id',
      'lease_epoch',
      'attempt',
      'frame_index',
      'frame_numbers',
      'frame_type',
      'lease_expires_at',
    ])
    .executeTakeFirst();
  if (r === undefined) return undefined;
  return {
    id: r.id,
    taskId: r.task_id,
    userId: r.user_id,
    epoch: Number(r.lease_epoch),
    attempt: Number(r.attempt),
    frameIndex: r.frame_index,
    frameNumbers: JSON.parse(r.frame_numbers) as number[],
    frameType: r.frame_type,
    leaseExpiresAt: Number(r.lease_expires_at),
  };
}
