/**
 * Writing a submitted task's frame rows in short steps.
 *
 * Why steps: on SQLite one transaction holds the store's only connection, and
 * writing a 100,000-frame task in one took about 1 s, during which every other
 * request of the farm (and `/healthz`) waited. Each step here writes at most
 * FRAME_ROWS_PER_STEP rows in its own transaction and then yields to the event
 * loop, so other requests run between steps.
 *
 * Why that is safe: the submit marks the task and its child tasks
 * `creating_frames = 1` (status 8, preprocessing) before the first step, and
 * the scheduler leases nothing from such a task; the last step makes it
 * waiting. The plan is derived from the task rows alone (frames_range,
 * frames_per_task, pre_frames, stop_after_test), and `frames_created` on the
 * submitted task counts the planned rows written, advanced by a compare-and-set
 * in the same transaction as the rows: after a crash the restart resumes at
 * that count, and two servers resuming the same task (PostgreSQL) never write
 * a row twice.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { FrameStatus, parsePreFrames, TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { allocateIds } from '../store/ids.js';
import { expandUnitFrames, FramePlan } from './frame-plan.js';
import { ACTIVE_TASK_STATES } from './states.js';

/**
 * Rows per transaction. Measured on SQLite (2-core machine): about 8–15 ms a step,
 * so a request arriving mid-submit waits at most that long.
 */
export const FRAME_ROWS_PER_STEP = 1000;
/** Rows per INSERT: keeps the bound parameters far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_INSERT = 500;

interface LeafRow {
  id: number;
  user_id: number;
  frames_range: string;
  frames_per_task: number;
  pre_frames: string;
  stop_after_test: number;
}

/** The frames of one render unit (leaf task), from its row: the same plan on submit and on resume. */
export function leafFramePlan(leaf: LeafRow): FramePlan {
  return new FramePlan(expandUnitFrames(leaf.frames_range), {
    framesPerTask: leaf.frames_per_task,
    preFrames: parsePreFrames(leaf.pre_frames === '' ? '000' : leaf.pre_frames),
    stopAfterTest: leaf.stop_after_test,
  });
}

export interface CreateFramesOptions {
  /** Asked before each step; true stops (the server is closing, a restart resumes). */
  readonly stopped?: () => boolean;
  readonly rowsPerStep?: number;
}

export interface CreatedFrames {
  /** Tasks of the tree the last step made waiting (the caller publishes them). */
  readonly madeWaiting: ReadonlyArray<{ id: number; userId: number }>;
  /** False when stopped before the last step. */
  readonly finished: boolean;
}

const LEAF_COLUMNS = [
  'id',
  'user_id',
  'frames_range',
  'frames_per_task',
  'pre_frames',
  'stop_after_test',
] as const;

/** Write every frame row of submitted task `taskId` (and its child tasks) not yet written. */
export async function createFrames(
  db: Kysely<Database>,
  taskId: number,
  options: CreateFramesOptions = {},
): Promise<CreatedFrames> {
  const top = await db
    .selectFrom('tasks')
    .select([...LEAF_COLUMNS, 'creating_frames', 'frames_created'])
    .where('id', '=', taskId)
    .executeTakeFirst();
  if (top === undefined || top.creating_frames === 0) return { madeWaiting: [], finished: true };
  const children = await db
    .selectFrom('tasks')
    .select(LEAF_COLUMNS)
    .where('parent_id', '=', taskId)
    .orderBy('id')
    .execute();
  const leaves = children.length > 0 ? children : [top];
  // The submit's rows in order: each leaf's plan after the previous leaf's.
  const plans: Array<{ leaf: LeafRow; plan: FramePlan; first: number }> = [];
  let total = 0;
  for (const leaf of leaves) {
    const plan = leafFramePlan(leaf);
    plans.push({ leaf, plan, first: total });
    total += plan.length;
  }
  const rowsAt = (from: number, to: number) =>
    plans.flatMap(({ leaf, plan, first }) =>
      from < first + plan.length && to > first
        ? plan.rows(from - first, to - first).map((frame) => ({ leaf, frame }))
        : [],
    );
  const step = options.rowsPerStep ?? FRAME_ROWS_PER_STEP;

  let written = top.frames_created;
  while (written < total) {
    if (options.stopped?.() === true) return { madeWaiting: [], finished: false };
    const from = written;
    written = await db.transaction().execute(async (trx) => {
      const part = rowsAt(from, from + step);
      // The compare-and-set: whoever advances the count writes these rows; a
      // concurrent writer (another server resuming) finds the count moved and re-reads it.
      const claim = await trx
        .updateTable('tasks')
        .set({ frames_created: from + part.length })
        .where('id', '=', taskId)
        .where('frames_created', '=', from)
        .where('creating_frames', '=', 1)
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) {
        const now = await trx
          .selectFrom('tasks')
          .select(['frames_created', 'creating_frames'])
          .where('id', '=', taskId)
          .executeTakeFirst();
        // Finished (or failed) elsewhere: nothing left to write here.
        return now === undefined || now.creating_frames === 0 ? total : now.frames_created;
      }
      // A task the user stopped or abandoned while its frames were being written gets the rest
      // stopped too, as the action did with the frames that existed then.
      const leafIds = [...new Set(part.map((r) => r.leaf.id))];
      const statuses = new Map(
        (await trx.selectFrom('tasks').select(['id', 'status']).where('id', 'in', leafIds).execute()).map(
          (t) => [t.id, t.status],
        ),
      );
      const firstId = await allocateIds(trx, 'frames', part.length);
      const now = Date.now();
      for (let i = 0; i < part.length; i += ROWS_PER_INSERT) {
        await trx
          .insertInto('frames')
          .values(
            part.slice(i, i + ROWS_PER_INSERT).map(({ leaf, frame }, j) => ({
              id: firstId + i + j,
              task_id: leaf.id,
              user_id: leaf.user_id,
              frame_index: frame.frameIndex,
              frame_numbers: JSON.stringify(frame.frameNumbers),
              chunk_index: frame.chunkIndex,
              frame_type: frame.frameType,
              state: ACTIVE_TASK_STATES.includes(statuses.get(leaf.id) ?? TaskStatus.PREPROCESSING)
                ? frame.state
                : FrameStatus.STOPPED,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
      }
      return from + part.length;
    });
    await yieldToEventLoop();
  }

  const madeWaiting = await db.transaction().execute(async (trx) => {
    const flipped = await trx
      .updateTable('tasks')
      .set({ status: TaskStatus.WAITING, creating_frames: 0 })
      .where((eb) => eb.or([eb('id', '=', taskId), eb('parent_id', '=', taskId)]))
      .where('creating_frames', '=', 1)
      .where('status', '=', TaskStatus.PREPROCESSING)
      .returning(['id', 'user_id'])
      .execute();
    await trx
      .updateTable('tasks')
      .set({ creating_frames: 0 })
      .where((eb) => eb.or([eb('id', '=', taskId), eb('parent_id', '=', taskId)]))
      .where('creating_frames', '=', 1)
      .execute();
    return flipped.map((t) => ({ id: t.id, userId: t.user_id }));
  });
  return { madeWaiting, finished: true };
}
