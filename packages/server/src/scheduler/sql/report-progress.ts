/**
 * A progress report: records how far the frame is and extends its lease, if
 * the report's epoch is the frame's current one. No row updated = stale lease.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export async function reportProgress(
  db: Kysely<Database>,
  lease: { frameId: number; epoch: number; owner: string },
  progress: number,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const r = await db
    .updateTable('frames')
    .set({ progress: Math.max(0, Math.min(1, progress)), lease_expires_at: now + ttlMs, updated_at: now })
    .where('id', '=', lease.frameId)
    .where('lease_epoch', '=', lease.epoch)
    .where('lease_owner', '=', lease.owner)
    .where('state', '=', FrameStatus.RUNNING)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
