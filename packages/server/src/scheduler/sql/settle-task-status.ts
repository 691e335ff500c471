/**
 * Bring a task's status (and its parent's) in line with its frames after
 * frames changed. Counts are read from the frame rows themselves, so the
 * status can never drift from them; the update is guarded by the status read,
 * so a concurrent stop/abandon wins over the scheduler.
 */
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { isEndStatus, leafStatus, parentStatus, SETTLED_TASK_STATES } from '../task-status.js';
import '../tables.js';

/** Frame states that keep a rendering task rendering (see task-status.ts). */
const STILL_RENDERING = [
  FrameStatus.RUNNING,
  FrameStatus.WAITING,
  FrameStatus.WAITING_PREPROCESS,
  FrameStatus.WAITING_PHOTON_FRAME,
  FrameStatus.WAITING_PHOTON_JOB,
  FrameStatus.WAITING_SOLVE_JOB,
];

export interface TaskChange {
  readonly id: number;
  readonly userId: number;
  readonly status: number;
}

async function apply(
  db: Kysely<Database>,
  task: { id: number; user_id: number; status: number },
  next: number,
  now: number,
): Promise<TaskChange | undefined> {
  if (next === task.status) return undefined;
  const r = await db
    .updateTable('tasks')
    .set((eb) => ({
      status: next,
      completed_date: isEndStatus(next) ? now : null,
      start_time: eb.fn.coalesce('start_time', eb.val(now)),
    }))
    .where('id', '=', task.id)
    .where('status', '=', task.status)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? { id: task.id, userId: task.user_id, status: next } : undefined;
}

export async function settleTaskStatus(
  db: Kysely<Database>,
  taskId: number,
  now: number,
): Promise<TaskChange[]> {
  // One read answers the common case, taken on almost every completion: a
  // rendering task with a frame still running or waiting stays rendering.
  // (Counting a 10 000-frame task's rows on every completion would make each
  // completion cost O(frames).)
  const task = await db
    .selectFrom('tasks as t')
    .select([
      't.id',
      't.user_id',
      't.status',
      't.parent_id',
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('frames as f')
              .select('f.id')
              .whereRef('f.task_id', '=', 't.id')
              .where('f.state', 'in', STILL_RENDERING),
          )
          .as('pending'),
    ])
    .where('t.id', '=', taskId)
    .executeTakeFirst();
  if (task === undefined || !SETTLED_TASK_STATES.includes(task.status)) return [];
  // `exists` comes back as 0/1 on SQLite and a boolean on PostgreSQL; both coerce.
  if (task.status === TaskStatus.RENDERING && task.pending) return [];
  const rows = await db
    .selectFrom('frames')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('task_id', '=', taskId)
    .groupBy('state')
    .execute();
  const counts = new Map(rows.map((r) => [r.state, Number(r.n)]));
  const changes: TaskChange[] = [];
  const own = await apply(db, task, leafStatus(counts, task.status), now);
  if (own) changes.push(own);
  if (task.parent_id !== null) {
    const parent = await db
      .selectFrom('tasks')
      .select(['id', 'user_id', 'status'])
      .where('id', '=', task.parent_id)
      .executeTakeFirst();
    if (parent !== undefined && SETTLED_TASK_STATES.includes(parent.status)) {
      const children = await db
        .selectFrom('tasks')
        .select('status')
        .where('parent_id', '=', parent.id)
        .execute();
      const change = await apply(
        db,
        parent,
        parentStatus(
          children.map((c) => c.status),
          parent.status,
        ),
        now,
      );
      if (change) changes.push(change);
    }
  }
  return changes;
}
