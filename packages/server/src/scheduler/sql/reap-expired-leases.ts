/**
 * The reaper: running frames whose lease expired (the node died, hung or lost
 * its network) go back to waiting, or to failed when they have used up their
 * retries. The epoch is bumped so that node, should it come back, is refused
 * and told to kill the frame.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import type { EndedFrame } from './complete-frame.js';
import '../tables.js';

export async function reapExpiredLeases(
  db: Kysely<Database>,
  now: number,
  maxRetries: number,
): Promise<EndedFrame[]> {
  const rows = await db
    .updateTable('frames')
    .set({
      // Literals and a cast, not bare parameters: PostgreSQL types a parameter inside CASE as text.
      state: sql<number>`case when attempt > ${maxRetries} then ${sql.lit(FrameStatus.FAILED)} else ${sql.lit(FrameStatus.WAITING)} end`,
      ended_at: sql<
        number | null
      >`case when attempt > ${maxRetries} then cast(${now} as bigint) else null end`,
      last_error: 'render node stopped answering (lease expired)',
      lease_owner: null,
      lease_expires_at: null,
      lease_epoch: sql<number>`lease_epoch + 1`,
      updated_at: now,
    })
    .where('state', '=', FrameStatus.RUNNING)
    .where('lease_expires_at', '<', now)
    .returning(['id', 'task_id', 'user_id', 'state'])
    .execute();
  return rows.map((r) => ({ id: r.id, taskId: r.task_id, userId: r.user_id, state: r.state }));
}
