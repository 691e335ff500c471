/**
 * The heartbeat: extend the leases a node says it is still running, where its
 * claim is still current (same owner, same epoch, still running). Frames that
 * come back unrenewed were taken away (stopped, abandoned, re-queued, timed
 * out, reaped): the node is told to cancel them.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export interface HeldLease {
  readonly frameId: number;
  readonly epoch: number;
}

/** Returns the ids of the frames whose lease was renewed. */
export async function renewLeases(
  db: Kysely<Database>,
  owner: string,
  held: readonly HeldLease[],
  expiresAt: number,
): Promise<Set<number>> {
  if (held.length === 0) return new Set();
  const rows = await db
    .updateTable('frames')
    .set({ lease_expires_at: expiresAt })
    .where('state', '=', FrameStatus.RUNNING)
    .where('lease_owner', '=', owner)
    .where((eb) =>
      eb.or(held.map((h) => eb.and([eb('id', '=', h.frameId), eb('lease_epoch', '=', h.epoch)]))),
    )
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id));
}
