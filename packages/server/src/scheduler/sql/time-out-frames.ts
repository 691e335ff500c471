/**
 * Per-frame time limits. A running frame is timed out (11) and taken from its
 * node (epoch bumped: the node's next poll tells it to kill the render) when it
 * has run longer than the tightest of:
 * - `job_stop_time`, the task.json's per-frame limit;
 * - the task's overtime stop (`setTaskOverTimeStop`, `over_time_stop`), or,
 *   when the task has none, the account's overtime setting
 *   (`updateUserSetting` `taskOverTimeSec`) — the reference's "timeout stop".
 * 0 means no limit. The frame's `last_error` and the last line of its render
 * log (showLog) name the limit that stopped it. Timed out frames are not
 * retried: a frame that ran out of time once would run out again.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.js';
import { RENDER_LOG } from './append-frame-log.js';
import type { EndedFrame } from './complete-frame.js';
import '../tables.js';

interface Limit {
  readonly seconds: number;
  readonly reason: string;
}

/** The tightest limit of a frame, or undefined when it has none. */
export function frameLimit(t: {
  jobStopTime: number;
  overTimeStop: number;
  userOverTime: number;
}): Limit | undefined {
  const limits: Limit[] = [];
  if (t.jobStopTime > 0)
    limits.push({ seconds: t.jobStopTime, reason: "the task's per-frame limit (job_stop_time)" });
  if (t.overTimeStop > 0) {
    limits.push({ seconds: t.overTimeStop, reason: "the task's overtime stop (setTaskOverTimeStop)" });
  } else if (t.userOverTime > 0) {
    limits.push({ seconds: t.userOverTime, reason: "the account's overtime setting (taskOverTimeSec)" });
  }
  return limits.sort((a, b) => a.seconds - b.seconds)[0];
}

export async function timeOutFrames(db: Kysely<Database>, now: number): Promise<EndedFrame[]> {
  // Only frames past one of their limits are read (past any is past the tightest): a reaper pass
  // every few seconds on every server must not carry every running frame of the farm to here.
  // The limits are widened to bigint before scaling to ms: int4 · 1000 overflows on PostgreSQL
  // past 24.8 days, which would fail every pass.
  const ms = (column: string) => sql<number>`cast(${sql.ref(column)} as bigint) * 1000`;
  const running = await db
    .selectFrom('frames')
    .innerJoin('tasks as t', 't.id', 'frames.task_id')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      'frames.id',
      'frames.task_id',
      'frames.user_id',
      'frames.started_at',
      'frames.lease_epoch',
      't.job_stop_time',
      't.over_time_stop',
      'u.task_over_time_sec',
    ])
    .where('frames.state', '=', FrameStatus.RUNNING)
    .where('frames.started_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([
          eb('t.job_stop_time', '>', 0),
          sql<boolean>`frames.started_at + ${ms('t.job_stop_time')} < ${now}`,
        ]),
        eb.and([
          eb('t.over_time_stop', '>', 0),
          sql<boolean>`frames.started_at + ${ms('t.over_time_stop')} < ${now}`,
        ]),
        eb.and([
          eb('t.over_time_stop', '=', 0),
          eb('u.task_over_time_sec', '>', 0),
          sql<boolean>`frames.started_at + ${ms('u.task_over_time_sec')} < ${now}`,
        ]),
      ]),
    )
    .execute();
  const ended: EndedFrame[] = [];
  for (const f of running) {
    if (f.started_at === null) continue;
    const limit = frameLimit({
      jobStopTime: f.job_stop_time,
      overTimeStop: f.over_time_stop,
      userOverTime: f.task_over_time_sec,
    });
    if (limit === undefined || f.started_at + limit.seconds * 1000 >= now) continue;
    const why = `frame ran longer than ${limit.seconds} s, ${limit.reason}: stopped`;
    const stopped = await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('frames')
        .set({
          state: FrameStatus.TIMED_OUT,
          ended_at: now,
          last_error: why,
          lease_owner: null,
          lease_expires_at: null,
          lease_epoch: sql<number>`lease_epoch + 1`,
          updated_at: now,
        })
        .where('id', '=', f.id)
        .where('state', '=', FrameStatus.RUNNING)
        // The same run: a frame requeued and restarted since the read keeps going.
        .where('lease_epoch', '=', f.lease_epoch)
        .returning(['id', 'task_id', 'user_id', 'state'])
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const last = await trx
        .selectFrom('frame_log_lines')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('frame_id', '=', f.id)
        .where('rendering_type', '=', RENDER_LOG)
        .executeTakeFirst();
      await trx
        .insertInto('frame_log_lines')
        .values({
          frame_id: f.id,
          rendering_type: RENDER_LOG,
          seq: Number(last?.seq ?? -1) + 1,
          line: `[openfarm] ${why}`,
        })
        .execute();
      return row;
    });
    if (stopped !== undefined) {
      ended.push({ id: stopped.id, taskId: stopped.task_id, userId: stopped.user_id, state: stopped.state });
    }
  }
  return ended;
}
