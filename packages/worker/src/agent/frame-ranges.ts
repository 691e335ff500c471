/**
 * A leased unit's frame numbers as the fewest `start..end every step` runs, in
 * order: renderers take ranges, and a `frames_per_task` chunk is not always
 * one (priority frames taken out of the middle leave gaps: 4, 6, 7 → 4; 6-7).
 */
import type { FrameRange } from '../renderers/adapter.js';

export function toRanges(frames: readonly number[]): FrameRange[] {
  const out: FrameRange[] = [];
  let i = 0;
  while (i < frames.length) {
    const start = frames[i]!;
    if (i + 1 >= frames.length) {
      out.push({ start, end: start, step: 1 });
      break;
    }
    const step = frames[i + 1]! - start;
    if (step <= 0) {
      out.push({ start, end: start, step: 1 });
      i++;
      continue;
    }
    let j = i + 1;
    while (j + 1 < frames.length && frames[j + 1]! - frames[j]! === step) j++;
    out.push({ start, end: frames[j]!, step });
    i = j + 1;
  }
  return out;
}
