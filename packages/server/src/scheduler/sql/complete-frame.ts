/**
 * A frame finished: running → done, guarded by the lease's epoch and owner.
 * This conditional update is the only way into "done", which is why a frame is
 * done exactly once: a late report from a node that lost the lease matches no
 * row, and a second report of the same lease finds the frame no longer running.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export interface EndedFrame {
  readonly id: number;
  readonly taskId: number;
  readonly userId: number;
  readonly state: number;
}

export async function completeFrame(
  db: Kysely<Database>,
  lease: { frameId: number; epoch: number; owner: string },
  now: number,
): Promise<EndedFrame | undefined> {
  const r = await db
    .updateTable('frames')
    .set({
      state: FrameStatus.DONE,
      progress: 1,
      ended_at: now,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    })
    .where('id', '=', lease.frameId)
    .where('lease_epoch', '=', lease.epoch)
    .where('lease_owner', '=', lease.owner)
    .where('state', '=', FrameStatus.RUNNING)
    .returning(['id', 'task_id', 'user_id', 'state'])
    .executeTakeFirst();
  return r && { id: r.id, taskId: r.task_id, userId: r.user_id, state: r.state };
}
