/**
 * Per-frame timeout (`job_stop_time`, seconds): a frame running longer than its
 * task allows is marked timed out (11) and taken from its node (epoch bumped:
 * the node's next poll tells it to kill the render). Timed out frames are not
 * retried: a frame that ran out of time once would run out again.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import type { EndedFrame } from './complete-frame.js';
import '../tables.js';

export async function timeOutFrames(db: Kysely<Database>, now: number): Promise<EndedFrame[]> {
  const rows = await db
    .updateTable('frames')
    .set({
      state: FrameStatus.TIMED_OUT,
      ended_at: now,
      last_error: 'frame ran longer than the task allows (job_stop_time)',
      lease_owner: null,
      lease_expires_at: null,
      lease_epoch: sql<number>`lease_epoch + 1`,
      updated_at: now,
    })
    .where('state', '=', FrameStatus.RUNNING)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('tasks as t')
          .select('t.id')
          .whereRef('t.id', '=', 'frames.task_id')
          .where('t.job_stop_time', '>', 0)
          // job_stop_time is a 32-bit integer: × 1000 in bigint, or a limit past
          // 24.8 days overflows, an error on PostgreSQL that fails the whole pass.
          .where(sql<boolean>`frames.started_at + cast(t.job_stop_time as bigint) * 1000 < ${now}`),
      ),
    )
    .returning(['id', 'task_id', 'user_id', 'state'])
    .execute();
  return rows.map((r) => ({ id: r.id, taskId: r.task_id, userId: r.user_id, state: r.state }));
}
