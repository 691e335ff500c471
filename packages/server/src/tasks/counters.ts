/**
 * Task counters derived from the frame rows on every read, so they can never
 * disagree with the frames (no stored counter to keep in step). A parent
 * task's counters are the sums over its child tasks.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';

export interface FrameCounters {
  totalFrames: number;
  doneFrames: number;
  failedFrames: number;
  executingFrames: number;
  waitingFrames: number;
  /** Stopped frames (reference `abortFrames`). */
  abortFrames: number;
}

export const ZERO_COUNTERS: Readonly<FrameCounters> = {
  totalFrames: 0,
  doneFrames: 0,
  failedFrames: 0,
  executingFrames: 0,
  waitingFrames: 0,
  abortFrames: 0,
};

/** Which counter a frame state adds to. */
export function counterOf(state: number): keyof FrameCounters {
  switch (state) {
    case FrameStatus.DONE:
      return 'doneFrames';
    case FrameStatus.FAILED:
    case FrameStatus.TIMED_OUT:
      return 'failedFrames';
    case FrameStatus.RUNNING:
      return 'executingFrames';
    case FrameStatus.STOPPED:
      return 'abortFrames';
    default:
      return 'waitingFrames';
  }
}

export function addCounters(a: FrameCounters, b: FrameCounters): FrameCounters {
  return {
    totalFrames: a.totalFrames + b.totalFrames,
    doneFrames: a.doneFrames + b.doneFrames,
    failedFrames: a.failedFrames + b.failedFrames,
    executingFrames: a.executingFrames + b.executingFrames,
    waitingFrames: a.waitingFrames + b.waitingFrames,
    abortFrames: a.abortFrames + b.abortFrames,
  };
}

/** Counters of each of the given (leaf) tasks; tasks without frames get zeros. */
export async function countersByTask(
  db: Kysely<Database>,
  taskIds: readonly number[],
): Promise<Map<number, FrameCounters>> {
  const out = new Map<number, FrameCounters>();
  for (const id of taskIds) out.set(id, { ...ZERO_COUNTERS });
  if (taskIds.length === 0) return out;
  const rows = await db
    .selectFrom('frames')
    .select(['task_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('task_id', 'in', [...taskIds])
    .groupBy(['task_id', 'state'])
    .execute();
  for (const r of rows) {
    const c = out.get(r.task_id)!;
    const n = Number(r.n);
    c.totalFrames += n;
    c[counterOf(r.state)] += n;
  }
  return out;
}
