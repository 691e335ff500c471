/**
 * The two ways the API moves frames: back to waiting (re-render) and to
 * stopped. Both take the frame away from any worker holding it: the lease is
 * cleared and `lease_epoch` bumped, so that worker's next report carries a
 * stale epoch and is told to kill the frame.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/database.js';

export interface ChangedFrame {
  id: number;
  taskId: number;
  userId: number;
  state: number;
}

type FrameFilter = { ids?: readonly number[]; taskIds?: readonly number[]; states?: readonly number[] };

async function moveFrames(
  db: Kysely<Database>,
  filter: FrameFilter,
  target: number,
  extra: { recommit: boolean },
): Promise<ChangedFrame[]> {
  if (
    (filter.ids?.length ?? 1) === 0 ||
    (filter.taskIds?.length ?? 1) === 0 ||
    (filter.states?.length ?? 1) === 0
  ) {
    return [];
  }
  const now = Date.now();
  let q = db.updateTable('frames').set({
    state: target,
    lease_owner: null,
    lease_expires_at: null,
    lease_epoch: sql<number>`lease_epoch + 1`,
    updated_at: now,
    ...(extra.recommit
      ? { recommit_flag: sql<number>`recommit_flag + 1`, attempt: 0, started_at: null, ended_at: null }
      : {}),
  });
  if (filter.ids !== undefined) q = q.where('id', 'in', [...filter.ids]);
  if (filter.taskIds !== undefined) q = q.where('task_id', 'in', [...filter.taskIds]);
  if (filter.states !== undefined) q = q.where('state', 'in', [...filter.states]);
  const rows = await q.returning(['id', 'task_id', 'user_id', 'state']).execute();
  return rows.map((r) => ({ id: r.id, taskId: r.task_id, userId: r.user_id, state: r.state }));
}

/** Send frames back to the queue (state 1), counting the re-render. */
export function requeueFrames(db: Kysely<Database>, filter: FrameFilter): Promise<ChangedFrame[]> {
  return moveFrames(db, filter, FrameStatus.WAITING, { recommit: true });
}

/** Stop frames (state 3). */
export function stopFrames(db: Kysely<Database>, filter: FrameFilter): Promise<ChangedFrame[]> {
  return moveFrames(db, filter, FrameStatus.STOPPED, { recommit: false });
}
