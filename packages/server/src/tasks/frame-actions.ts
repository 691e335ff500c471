/**
 * Frame-level actions of the query operator: re-render failed frames of
 * tasks, re-render or stop all / selected frames of one task.
 */
import { ApiError } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { type ActionResult, reopenTasks, taskTree } from './actions.js';
import { requeueFrames, stopFrames } from './frame-changes.js';
import { FAILED_FRAME_STATES, PENDING_FRAME_STATES } from './states.js';
import { requireTasks } from './visibility.js';

export interface FrameSelection {
  taskId: number;
  /** 1: every frame of the task; 0: the frames in `ids`. */
  selectAll: 0 | 1;
  ids?: readonly number[] | undefined;
  /** Only frames in these states. */
  status?: readonly number[] | undefined;
}

async function leafIdsOf(db: Kysely<Database>, user: UserRow, taskIds: readonly number[]): Promise<number[]> {
  return (await taskTree(db, await requireTasks(db, user, taskIds))).map((t) => t.id);
}

/** Check that every listed frame belongs to the task tree; otherwise 404 naming the first stranger. */
async function checkFrameIds(
  db: Kysely<Database>,
  leafIds: readonly number[],
  ids: readonly number[],
): Promise<void> {
  const unique = [...new Set(ids)];
  const rows = await db
    .selectFrom('frames')
    .select('id')
    .where('id', 'in', unique)
    .where('task_id', 'in', [...leafIds])
    .execute();
  if (rows.length !== unique.length) {
    const found = new Set(rows.map((r) => r.id));
    throw ApiError.of('RESOURCE_NOT_FOUND', {
      detail: `frame ${unique.find((id) => !found.has(id))} not found in this task`,
    });
  }
}

/** recommitTasks: failed frames (or frames in `status`) of the tasks go back to the queue. */
export function recommitTasks(
  db: Kysely<Database>,
  user: UserRow,
  taskIds: readonly number[],
  status: readonly number[] | undefined,
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => {
    const leafIds = await leafIdsOf(trx, user, taskIds);
    const frames = await requeueFrames(trx, { taskIds: leafIds, states: status ?? FAILED_FRAME_STATES });
    return { frames, tasks: await reopenTasks(trx, frames) };
  });
}

export function recommitFrames(
  db: Kysely<Database>,
  user: UserRow,
  sel: FrameSelection,
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => {
    const leafIds = await leafIdsOf(trx, user, [sel.taskId]);
    if (sel.selectAll === 0) await checkFrameIds(trx, leafIds, sel.ids ?? []);
    const frames = await requeueFrames(trx, {
      taskIds: leafIds,
      ...(sel.selectAll === 0 ? { ids: sel.ids ?? [] } : {}),
      ...(sel.status !== undefined ? { states: sel.status } : {}),
    });
    return { frames, tasks: await reopenTasks(trx, frames) };
  });
}

export function stopSelectedFrames(
  db: Kysely<Database>,
  user: UserRow,
  sel: FrameSelection,
): Promise<ActionResult> {
  return db.transaction().execute(async (trx) => {
    const leafIds = await leafIdsOf(trx, user, [sel.taskId]);
    if (sel.selectAll === 0) await checkFrameIds(trx, leafIds, sel.ids ?? []);
    const wanted =
      sel.status === undefined
        ? PENDING_FRAME_STATES
        : sel.status.filter((s) => PENDING_FRAME_STATES.includes(s));
    const frames = await stopFrames(trx, {
      taskIds: leafIds,
      states: wanted,
      ...(sel.selectAll === 0 ? { ids: sel.ids ?? [] } : {}),
    });
    return { frames, tasks: [] };
  });
}
