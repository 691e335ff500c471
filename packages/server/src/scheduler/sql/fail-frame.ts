/**
 * A node reports that its render of a frame failed: the frame goes back to
 * waiting while it has retries left (attempt counts the leases so far), else
 * it is failed for good. Same epoch/owner guard as completion.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import type { EndedFrame } from './complete-frame.js';
import '../tables.js';

export async function failFrame(
  db: Kysely<Database>,
  lease: { frameId: number; epoch: number; owner: string },
  error: string,
  maxRetries: number,
  now: number,
): Promise<EndedFrame | undefined> {
  const r = await db
    .updateTable('frames')
    .set({
      // Literals and a cast, not bare parameters: PostgreSQL types a parameter inside CASE as text.
      state: sql<number>`case when attempt > ${maxRetries} then ${sql.lit(FrameStatus.FAILED)} else ${sql.lit(FrameStatus.WAITING)} end`,
      ended_at: sql<
        number | null
      >`case when attempt > ${maxRetries} then cast(${now} as bigint) else null end`,
      last_error: error.slice(0, 4000),
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
