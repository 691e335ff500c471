/**
 * How a render unit's frames become schedulable rows: priority frames chosen
 * by `pre_frames` come first, one frame each (frame type 4), so a test render
 * is quick; the rest are grouped by `frames_per_task` (frame type 5). When the
 * task pauses after its test frames (`stop_after_test` 1), the main frames wait
 * in state 8 until the priority frames are done and fullSpeed releases them.
 */
import {
  DEFAULT_MAX_FRAMES,
  expandFrames,
  FrameStatus,
  FrameType,
  frameCount,
  type PreFrames,
  parseFrameRanges,
  priorityFrames,
} from '@openfarm/protocol';
import { formatFrameIndex } from './frame-index.js';

/**
 * `expandFrames(text)`, fast for the usual list of ascending, non-overlapping
 * ranges ("1-100000[1]"): those need neither the set nor the sort that made
 * expanding 100,000 frames cost 100+ ms of event loop on a loaded machine.
 * Any other list is expanded by expandFrames itself; the result is the same.
 */
export function expandUnitFrames(text: string): number[] {
  const ranges = parseFrameRanges(text);
  const ordered = ranges.every((r, i) => i === 0 || r.start > ranges[i - 1]!.end);
  if (!ordered) return expandFrames(ranges);
  let total = 0;
  for (const r of ranges) total += frameCount(r);
  if (total > DEFAULT_MAX_FRAMES) return expandFrames(ranges); // throws its own error
  const out = new Array<number>(total);
  let n = 0;
  for (const r of ranges) for (let f = r.start; f <= r.end; f += r.step) out[n++] = f;
  return out;
}

export interface PlannedFrame {
  frameIndex: string;
  frameNumbers: number[];
  chunkIndex: number;
  frameType: number;
  state: number;
}

export interface FramePlanOptions {
  framesPerTask: number;
  preFrames: PreFrames;
  /** 1 pause after priority frames, 2 continue. */
  stopAfterTest: number;
}

/**
 * A unit's plan, materialised a slice at a time: a submit writes up to
 * 200,000 frames on the event loop, and building every row object at once
 * took hundreds of milliseconds on a loaded machine, during which no other
 * request ran. Only the test frames need the whole list (and only when asked for).
 */
export class FramePlan {
  readonly length: number;
  private readonly priority: readonly number[];
  private readonly rest: readonly number[];
  private readonly mainState: number;

  constructor(
    frames: readonly number[],
    private readonly options: FramePlanOptions,
  ) {
    const pre = options.preFrames;
    const wantsPriority = pre.first || pre.middle || pre.last || pre.custom.length > 0;
    this.priority = wantsPriority ? priorityFrames(pre, frames) : [];
    const prioritySet = new Set(this.priority);
    this.rest = prioritySet.size === 0 ? frames : frames.filter((f) => !prioritySet.has(f));
    this.mainState =
      this.priority.length > 0 && options.stopAfterTest === 1
        ? FrameStatus.WAITING_PRIORITY
        : FrameStatus.WAITING;
    this.length = this.priority.length + Math.ceil(this.rest.length / options.framesPerTask);
  }

  /** Rows `from` (inclusive) to `to` (exclusive), by chunk index. */
  rows(from: number, to: number): PlannedFrame[] {
    const out: PlannedFrame[] = [];
    const per = this.options.framesPerTask;
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) {
      if (i < this.priority.length) {
        const f = this.priority[i]!;
        out.push({
          frameIndex: String(f),
          frameNumbers: [f],
          chunkIndex: i,
          frameType: FrameType.PRIORITY,
          state: FrameStatus.WAITING,
        });
        continue;
      }
      const start = (i - this.priority.length) * per;
      const chunk = this.rest.slice(start, start + per);
      out.push({
        frameIndex: formatFrameIndex(chunk),
        frameNumbers: chunk,
        chunkIndex: i,
        frameType: FrameType.MAIN,
        state: this.mainState,
      });
    }
    return out;
  }
}

export function planFrames(frames: readonly number[], options: FramePlanOptions): PlannedFrame[] {
  const plan = new FramePlan(frames, options);
  return plan.rows(0, plan.length);
}
