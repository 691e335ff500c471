/**
 * The farm fails a task it cannot render (a render spec that cannot be built,
 * frames that could not be created): the task and its child tasks become
 * failed (45) with the reason in `fail_reason` (task info shows it), and every
 * frame not yet ended fails with the reason as its last error and as a line of
 * its render log (what showLog / getRenderLog returns).
 *
 * The status changes first, in one short transaction, so the scheduler stops
 * leasing at once; the frames then fail in steps of FRAME_ROWS_PER_STEP with a
 * yield between them, so failing a 100,000-frame task never holds the writer
 * for long. Running frames are left to end on their own (their node still
 * reports); the task's status no longer follows them.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import { isEndStatus, parentStatus } from '../scheduler/task-status.js';
import type { Database } from '../store/database.js';
import type { ChangedTask } from './actions.js';
import { FRAME_ROWS_PER_STEP } from './create-frames.js';

/** Task states the farm may still fail: queued, being prepared or rendering. */
const FAILABLE: readonly number[] = [
  TaskStatus.PREPROCESSING,
  TaskStatus.WAITING,
  TaskStatus.RENDERING,
  TaskStatus.TEST_DONE,
];

/** Frames not ended and not held by a node. */
const NOT_STARTED: readonly number[] = [
  FrameStatus.WAITING,
  FrameStatus.WAITING_PREPROCESS,
  FrameStatus.WAITING_PHOTON_FRAME,
  FrameStatus.WAITING_PRIORITY,
  FrameStatus.WAITING_PHOTON_JOB,
  FrameStatus.WAITING_SOLVE_JOB,
];

/** Longest reason kept (a reason quoting a broken file must not grow the row without bound). */
const MAX_REASON_CHARS = 2000;

/** The render-log line a failed frame gets. */
export function failLogLine(reason: string): string {
  return `openfarm: the farm failed this task: ${reason}`;
}

/**
 * Fail task `taskId` (a leaf, a parent with its children, or a child) for
 * `reason`. Returns the tasks whose status changed, for the caller to publish;
 * empty when the task had already ended or been stopped.
 */
export async function failTask(db: Kysely<Database>, taskId: number, reason: string): Promise<ChangedTask[]> {
  const text = reason.slice(0, MAX_REASON_CHARS);
  const now = Date.now();
  const failed = await db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('tasks')
      .set({
        status: TaskStatus.FAILED,
        completed_date: now,
        creating_frames: 0,
        fail_reason: sql<string>`coalesce(fail_reason, ${text})`,
      })
      .where((eb) => eb.or([eb('id', '=', taskId), eb('parent_id', '=', taskId)]))
      .where('status', 'in', FAILABLE)
      .returning(['id', 'user_id', 'parent_id'])
      .execute();
    return rows;
  });
  if (failed.length === 0) return [];

  const ids = failed.map((t) => t.id);
  const line = failLogLine(text);
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const batch = await trx
        .selectFrom('frames')
        .select('id')
        .where('task_id', 'in', ids)
        .where('state', 'in', NOT_STARTED)
        .limit(FRAME_ROWS_PER_STEP)
        .execute();
      if (batch.length === 0) return 0;
      const frameIds = batch.map((f) => f.id);
      await trx
        .updateTable('frames')
        .set({
          state: FrameStatus.FAILED,
          ended_at: now,
          last_error: text,
          lease_owner: null,
          lease_expires_at: null,
          lease_epoch: sql<number>`lease_epoch + 1`,
          updated_at: now,
        })
        .where('id', 'in', frameIds)
        .execute();
      await trx
        .insertInto('frame_log_lines')
        .columns(['frame_id', 'rendering_type', 'seq', 'line'])
        .expression((eb) =>
          eb
            .selectFrom('frames as f')
            .select([
              'f.id',
              sql<string>`cast(${'render'} as text)`.as('rendering_type'),
              sql<number>`coalesce((select max(l.seq) + 1 from frame_log_lines l where l.frame_id = f.id and l.rendering_type = ${'render'}), 0)`.as(
                'seq',
              ),
              sql<string>`cast(${line} as text)`.as('line'),
            ])
            .where('f.id', 'in', frameIds),
        )
        .execute();
      return batch.length;
    });
    if (n === 0) break;
    await yieldToEventLoop();
  }

  // A task that had rendered some frames before it broke ended with failures, not failed outright.
  return db.transaction().execute(async (trx) => {
    const changes: ChangedTask[] = [];
    for (const t of failed) {
      const done = await trx
        .selectFrom('frames')
        .select('id')
        .where('task_id', '=', t.id)
        .where('state', '=', FrameStatus.DONE)
        .limit(1)
        .executeTakeFirst();
      let status: number = TaskStatus.FAILED;
      if (done !== undefined) {
        await trx
          .updateTable('tasks')
          .set({ status: TaskStatus.FINISHED_WITH_FAILURES })
          .where('id', '=', t.id)
          .where('status', '=', TaskStatus.FAILED)
          .execute();
        status = TaskStatus.FINISHED_WITH_FAILURES;
      }
      changes.push({ id: t.id, userId: t.user_id, status });
    }
    // A failed child settles its parent (when the parent was not failed with it).
    const parents = [...new Set(failed.map((t) => t.parent_id))].filter(
      (p): p is number => p !== null && !ids.includes(p),
    );
    for (const parentId of parents) {
      const parent = await trx
        .selectFrom('tasks')
        .select(['id', 'user_id', 'status'])
        .where('id', '=', parentId)
        .executeTakeFirst();
      if (parent === undefined || !FAILABLE.includes(parent.status)) continue;
      await trx
        .updateTable('tasks')
        .set({ fail_reason: sql<string>`coalesce(fail_reason, ${text})` })
        .where('id', '=', parent.id)
        .execute();
      const children = await trx
        .selectFrom('tasks')
        .select('status')
        .where('parent_id', '=', parent.id)
        .execute();
      const next = parentStatus(
        children.map((c) => c.status),
        parent.status,
      );
      if (next === parent.status) continue;
      const r = await trx
        .updateTable('tasks')
        .set({ status: next, completed_date: isEndStatus(next) ? now : null })
        .where('id', '=', parent.id)
        .where('status', '=', parent.status)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1)
        changes.push({ id: parent.id, userId: parent.user_id, status: next });
    }
    return changes;
  });
}
