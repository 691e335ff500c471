/**
 * How a render unit's frames become schedulable rows: priority frames chosen
 * by `pre_frames` come first, one frame each (frame type 4), so a test render
 * is quick; the rest are grouped by `frames_per_task` (frame type 5). When the
 * task pauses after its test frames (`stop_after_test` 1), the main frames wait
 * in state 8 until the priority frames are done and fullSpeed releases them.
 */
import { FrameStatus, FrameType, type PreFrames, priorityFrames } from '@openfarm/protocol';
import { formatFrameIndex } from './frame-index.js';

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

export function planFrames(frames: readonly number[], options: FramePlanOptions): PlannedFrame[] {
  const priority = priorityFrames(options.preFrames, frames);
  const prioritySet = new Set(priority);
  const rest = frames.filter((f) => !prioritySet.has(f));
  const out: PlannedFrame[] = priority.map((f) => ({
    frameIndex: String(f),
    frameNumbers: [f],
    chunkIndex: 0,
    frameType: FrameType.PRIORITY,
    state: FrameStatus.WAITING,
  }));
  const mainState =
    priority.length > 0 && options.stopAfterTest === 1 ? FrameStatus.WAITING_PRIORITY : FrameStatus.WAITING;
  for (let i = 0; i < rest.length; i += options.framesPerTask) {
    const chunk = rest.slice(i, i + options.framesPerTask);
    out.push({
      frameIndex: formatFrameIndex(chunk),
      frameNumbers: chunk,
      chunkIndex: 0,
      frameType: FrameType.MAIN,
      state: mainState,
    });
  }
  return out.map((f, i) => ({ ...f, chunkIndex: i }));
}
