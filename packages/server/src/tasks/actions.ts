/**
 * Task-level actions of the task operator: stop, start, abandon, delete,
 * full speed. Each runs in one transaction over the task and its child tasks,
 * changes task status and the frame rows together, and returns what changed
 * so the caller can publish events after the commit.
 *
 * Batch semantics: every id must name a visible task (else 404 and nothing
 * changes); tasks already in a state the action does not apply to are left
 * as they are, so repeating an action is harmless.
 */
import { FrameStatus, FrameType, TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { type ChangedFrame, requeueFrames, stopFrames } from './frame-changes.js';
import {
  ACTIVE_TASK_STATES,
  FINISHED_TASK_STATES,
  PENDING_FRAME_STATES,
  STOPPED_TASK_STATES,
} from './states.js';
import { requireTasks, type TaskRow } from './visibility.js';

export interface ChangedTask {
  id: number;
  userId: number;
  status: number;
  /** Set when the task moved into the recycle bin. */
  deleted?: true;
}

export interface ActionResult {
  tasks: ChangedTask[];
  frames: ChangedFrame[];
}

/** The tasks and all their child tasks. */
export async function taskTree(db: Kysely<Database>, tasks: readonly TaskRow[]): Promise<TaskRow[]> {
  if (tasks.length === 0) return [];
  const children = await db
    .selectFrom('tasks')
    .selectAll()
    .where(
      'parent_id',
      'in',
      tasks.map((t) => t.id),
    )
    .execute();
  const seen = new Set(tasks.map((t) => t.id));
  return [...tasks, ...children.filter((c) => !seen.has(c.id))];
}

async function setStatus(
  db: Kysely<Database>,
  tasks: readonly TaskRow[],
  status: number,
  extra: Partial<{ pre_status: number | null; completed_date: number | null }> = {},
): Promise<ChangedTask[]> {
  if (tasks.length === 0) return [];
  await db
    .updateTable('tasks')
    .set({ status, ...extra })
    .where(
      'id',
      'in',
      tasks.map((t) => t.id),
    )
    .execute();
  return tasks.map((t) => ({ id: t.id, userId: t.user_id, status }));
}

async function treeOf(db: Kysely<Database>, user: UserRow, ids: readonly number[], includeDeleted = false) {
  return taskTree(db, await requireTasks(db, user, ids, { includeDeleted }));
}

const submitted = (t: TaskRow) => t.submit_date !== null;

export function stopTasks(
  db: Kysely<Database>,
  user: UserRow,
  ids: readonly number[],
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => {
    const tree = (await treeOf(trx, user, ids)).filter(
      (t) => submitted(t) && ACTIVE_TASK_STATES.includes(t.status),
    );
    const frames = await stopFrames(trx, { taskIds: tree.map((t) => t.id), states: PENDING_FRAME_STATES });
    const tasks: ChangedTask[] = [];
    for (const t of tree)
      tasks.push(...(await setStatus(trx, [t], TaskStatus.STOPPED, { pre_status: t.status })));
    return { tasks, frames };
  });
}

/**
 * Frames of tasks that pause after their test frames stay held (state 8)
 * while priority frames are unfinished and fullSpeed was not given.
 */
async function holdMainFramesOfPausedTasks(db: Kysely<Database>, tree: readonly TaskRow[]): Promise<void> {
  const paused = tree.filter((t) => t.stop_after_test === 1 && t.full_speed === 0).map((t) => t.id);
  if (paused.length === 0) return;
  const unfinished = await db
    .selectFrom('frames')
    .select('task_id')
    .distinct()
    .where('task_id', 'in', paused)
    .where('frame_type', '=', FrameType.PRIORITY)
    .where('state', '!=', FrameStatus.DONE)
    .execute();
  if (unfinished.length === 0) return;
  await db
    .updateTable('frames')
    .set({ state: FrameStatus.WAITING_PRIORITY, updated_at: Date.now() })
    .where(
      'task_id',
      'in',
      unfinished.map((u) => u.task_id),
    )
    .where('frame_type', '=', FrameType.MAIN)
    .where('state', '=', FrameStatus.WAITING)
    .execute();
}

export function startTasks(
  db: Kysely<Database>,
  user: UserRow,
  ids: readonly number[],
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => {
    const tree = (await treeOf(trx, user, ids)).filter((t) => STOPPED_TASK_STATES.includes(t.status));
    const frames = await requeueFrames(trx, {
      taskIds: tree.map((t) => t.id),
      states: [FrameStatus.STOPPED],
    });
    await holdMainFramesOfPausedTasks(trx, tree);
    const tasks = await setStatus(trx, tree, TaskStatus.WAITING, { pre_status: null });
    return { tasks, frames };
  });
}

export function abandonTasks(
  db: Kysely<Database>,
  user: UserRow,
  ids: readonly number[],
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => abandonTree(trx, await treeOf(trx, user, ids)));
}

async function abandonTree(db: Kysely<Database>, tree: readonly TaskRow[]): Promise<ActionResult> {
  const open = tree.filter((t) => [...ACTIVE_TASK_STATES, ...STOPPED_TASK_STATES].includes(t.status));
  const frames = await stopFrames(db, { taskIds: open.map((t) => t.id), states: PENDING_FRAME_STATES });
  const tasks: ChangedTask[] = [];
  for (const t of open)
    tasks.push(...(await setStatus(db, [t], TaskStatus.ABANDONED, { pre_status: t.status })));
  return { tasks, frames };
}

/** Delete into the recycle bin: running work is abandoned first; the rows stay for `recycleFlag` queries. */
export function deleteTasks(
  db: Kysely<Database>,
  user: UserRow,
  ids: readonly number[],
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => {
    const tree = await treeOf(trx, user, ids);
    const result = await abandonTree(
      trx,
      tree.filter((t) => submitted(t)),
    );
    await trx
      .updateTable('tasks')
      .set({ is_delete: 1, deleted_at: Date.now() })
      .where(
        'id',
        'in',
        tree.map((t) => t.id),
      )
      .execute();
    // Every deleted task is reported once, with its final status, so streams can drop it.
    const abandoned = new Map(result.tasks.map((t) => [t.id, t.status]));
    const tasks = tree.map((t) => ({
      id: t.id,
      userId: t.user_id,
      status: abandoned.get(t.id) ?? t.status,
      deleted: true as const,
    }));
    return { tasks, frames: result.frames };
  });
}

/** Release main frames held after the test frames, and stop holding them in future. */
export function fullSpeed(
  db: Kysely<Database>,
  user: UserRow,
  ids: readonly number[],
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => {
    const tree = await treeOf(trx, user, ids);
    const treeIds = tree.map((t) => t.id);
    await trx.updateTable('tasks').set({ full_speed: 1 }).where('id', 'in', treeIds).execute();
    const frames = await trx
      .updateTable('frames')
      .set({ state: FrameStatus.WAITING, updated_at: Date.now() })
      .where('task_id', 'in', treeIds)
      .where('state', '=', FrameStatus.WAITING_PRIORITY)
      .returning(['id', 'task_id', 'user_id', 'state'])
      .execute();
    const tasks = await setStatus(
      trx,
      tree.filter((t) => t.status === TaskStatus.TEST_DONE),
      TaskStatus.WAITING,
    );
    return {
      tasks,
      frames: frames.map((f) => ({ id: f.id, taskId: f.task_id, userId: f.user_id, state: f.state })),
    };
  });
}

/**
 * Reopen tasks whose frames were sent back to the queue: a finished task
 * that has waiting frames again is waiting again (its parent too).
 *
 * A stopped task stays stopped: the user stopped it, and its other frames are
 * still stopped. Reopening it would leave it waiting on frames nothing will
 * ever run, and startTask (which acts on stopped tasks) would then ignore it.
 * Its requeued frames wait and render once the task is started.
 */
export async function reopenTasks(
  db: Kysely<Database>,
  frames: readonly ChangedFrame[],
): Promise<ChangedTask[]> {
  const leafIds = [...new Set(frames.map((f) => f.taskId))];
  if (leafIds.length === 0) return [];
  const leaves = await db.selectFrom('tasks').selectAll().where('id', 'in', leafIds).execute();
  const parentIds = [...new Set(leaves.map((l) => l.parent_id).filter((p): p is number => p !== null))];
  const parents =
    parentIds.length > 0
      ? await db.selectFrom('tasks').selectAll().where('id', 'in', parentIds).execute()
      : [];
  const reopen = [...leaves, ...parents].filter((t) => FINISHED_TASK_STATES.includes(t.status));
  return setStatus(db, reopen, TaskStatus.WAITING, { completed_date: null, pre_status: null });
}
