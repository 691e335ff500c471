/**
 * A task's status follows from its frames (reference §2.8), and a parent's from
 * its child tasks. Pure decisions; settle-task-status.ts applies them.
 *
 * Leaf task, by frame states:
 *   any running                                  → 5 rendering
 *   any waiting: 5 once some frame ended, else   → 0 waiting
 *   else main frames held for the test (8)       → 40 test frames done
 *   else all ended: every frame done             → 25 finished
 *                   none done                    → 45 failed
 *                   some done                    → 30 finished with failed frames
 * Only tasks the scheduler drives (0, 5, 40) are settled: a stopped, abandoned
 * or deleted task keeps the status its action gave it.
 */
import { FrameStatus, TaskStatus } from '@openfarm/protocol';

export const SETTLED_TASK_STATES: readonly number[] = [
  TaskStatus.WAITING,
  TaskStatus.RENDERING,
  TaskStatus.TEST_DONE,
];

/** Frames per state. */
export type StateCounts = ReadonlyMap<number, number>;

const WAITING_LIKE = [
  FrameStatus.WAITING,
  FrameStatus.WAITING_PREPROCESS,
  FrameStatus.WAITING_PHOTON_FRAME,
  FrameStatus.WAITING_PHOTON_JOB,
  FrameStatus.WAITING_SOLVE_JOB,
];

export function leafStatus(counts: StateCounts, current: number): number {
  const n = (s: number) => counts.get(s) ?? 0;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return current;
  if (n(FrameStatus.RUNNING) > 0) return TaskStatus.RENDERING;
  const ended =
    n(FrameStatus.DONE) + n(FrameStatus.FAILED) + n(FrameStatus.TIMED_OUT) + n(FrameStatus.STOPPED);
  if (WAITING_LIKE.some((s) => n(s) > 0)) return ended > 0 ? TaskStatus.RENDERING : TaskStatus.WAITING;
  if (n(FrameStatus.WAITING_PRIORITY) > 0) return TaskStatus.TEST_DONE;
  if (n(FrameStatus.DONE) === total) return TaskStatus.FINISHED;
  if (n(FrameStatus.DONE) === 0) return TaskStatus.FAILED;
  return TaskStatus.FINISHED_WITH_FAILURES;
}

const ENDED: readonly number[] = [TaskStatus.FINISHED, TaskStatus.FINISHED_WITH_FAILURES, TaskStatus.FAILED];

/** A parent task's status from its children's (children the user stopped or abandoned count as not done). */
export function parentStatus(children: readonly number[], current: number): number {
  if (children.length === 0) return current;
  if (children.includes(TaskStatus.RENDERING)) return TaskStatus.RENDERING;
  const someEnded = children.some((s) => ENDED.includes(s) || s === TaskStatus.TEST_DONE);
  if (children.includes(TaskStatus.WAITING)) return someEnded ? TaskStatus.RENDERING : TaskStatus.WAITING;
  if (children.includes(TaskStatus.TEST_DONE)) return TaskStatus.TEST_DONE;
  if (!children.every((s) => ENDED.includes(s))) return current;
  if (children.every((s) => s === TaskStatus.FINISHED)) return TaskStatus.FINISHED;
  if (children.every((s) => s === TaskStatus.FAILED)) return TaskStatus.FAILED;
  return TaskStatus.FINISHED_WITH_FAILURES;
}

export function isEndStatus(status: number): boolean {
  return ENDED.includes(status);
}
