/**
 * The frame-range grammar of task.json and the API (§3.1):
 *
 *   list  := item ("," item)*
 *   item  := frame | frame "-" frame [ "[" step "]" ]
 *   frame := ["-"] digits          (negative frames exist: "-5--1[1]")
 *
 * e.g. "1-10[1]", "1,3-4[1]", "5". Whitespace around items is tolerated.
 * `pre_frames` is three first/middle/last flags, optionally ":" + a list:
 * "100", "010", "000:1,3-4[1]".
 */

export interface FrameRange {
  readonly start: number;
  readonly end: number;
  /** Positive; 1 for a single frame. */
  readonly step: number;
}

export interface PreFrames {
  /** Render the first frame before the others. */
  readonly first: boolean;
  readonly middle: boolean;
  readonly last: boolean;
  /** Extra priority frames after the ":". */
  readonly custom: readonly FrameRange[];
}

/** Frame numbers beyond this are certainly a typo, and would make counts meaningless. */
export const MAX_ABS_FRAME = 1_000_000_000;

/** Default upper bound of {@link expandFrames}. */
export const DEFAULT_MAX_FRAMES = 100_000;

export class FrameRangeError extends Error {
  constructor(
    readonly reason: string,
    readonly text: string,
    /** 0-based index into `text` where the problem is. */
    readonly position: number,
  ) {
    super(`bad frame range "${text}" at position ${position}: ${reason}`);
    this.name = 'FrameRangeError';
  }
}

/** Parse a frame-range list. Throws {@link FrameRangeError} naming the text and position. */
export function parseFrameRanges(text: string): FrameRange[] {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new FrameRangeError(reason, text, at);
  };
  const skipSpaces = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  const readInt = (what: string, allowMinus: boolean): number => {
    const from = i;
    if (allowMinus && text[i] === '-') i++;
    const digitsFrom = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    if (i === digitsFrom) fail(`expected ${what}`, from);
    const n = Number(text.slice(from, i));
    if (Math.abs(n) > MAX_ABS_FRAME)
      fail(`${what} ${text.slice(from, i)} is out of range (±${MAX_ABS_FRAME})`, from);
    return n;
  };

  const out: FrameRange[] = [];
  if (text.trim() === '') fail('empty frame range', 0);
  for (;;) {
    skipSpaces();
    const itemAt = i;
    const start = readInt('a frame number', true);
    let end = start;
    let step = 1;
    if (text[i] === '-') {
      i++;
      end = readInt('an end frame', true);
      if (text[i] === '[') {
        i++;
        const stepAt = i;
        step = readInt('a step', false);
        if (step < 1) fail('step must be at least 1', stepAt);
        if (text[i] !== ']') fail("expected ']'");
        i++;
      }
      if (end < start) fail(`start ${start} is after end ${end}`, itemAt);
    }
    out.push({ start, end, step });
    skipSpaces();
    if (i === text.length) return out;
    if (text[i] !== ',') fail("expected ',' or the end of the list");
    i++;
  }
}

/** Print ranges in the reference's form: "5" for one frame, "1-10[1]" otherwise. */
export function formatFrameRanges(ranges: readonly FrameRange[]): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}[${r.step}]`)).join(',');
}

/** How many frames a range holds (its end is included only when the step lands on it). */
export function frameCount(r: FrameRange): number {
  return Math.floor((r.end - r.start) / r.step) + 1;
}

/** Whether frame `f` is one of the range's frames. */
export function inRange(r: FrameRange, f: number): boolean {
  return f >= r.start && f <= r.end && (f - r.start) % r.step === 0;
}

/**
 * Every frame of a list, ascending, each once. Refuses lists whose ranges add
 * up to more than `maxFrames` (counted before expanding, so "1-1000000000[1]"
 * fails fast instead of allocating).
 */
export function expandFrames(
  input: string | readonly FrameRange[],
  maxFrames: number = DEFAULT_MAX_FRAMES,
): number[] {
  const ranges = typeof input === 'string' ? parseFrameRanges(input) : input;
  let total = 0;
  for (const r of ranges) total += frameCount(r);
  if (total > maxFrames) {
    const text = typeof input === 'string' ? input : formatFrameRanges(ranges);
    throw new FrameRangeError(`${total} frames is more than the limit of ${maxFrames}`, text, 0);
  }
  const frames = new Set<number>();
  for (const r of ranges) for (let f = r.start; f <= r.end; f += r.step) frames.add(f);
  return [...frames].sort((a, b) => a - b);
}

/** Parse `pre_frames`. Throws {@link FrameRangeError}. */
export function parsePreFrames(text: string): PreFrames {
  const flags = text.slice(0, 3);
  if (!/^[01]{3}$/.test(flags)) {
    const bad = [...flags].findIndex((c) => c !== '0' && c !== '1');
    throw new FrameRangeError(
      'expected three 0/1 flags (first, middle, last)',
      text,
      bad === -1 ? flags.length : bad,
    );
  }
  let custom: FrameRange[] = [];
  if (text.length > 3) {
    if (text[3] !== ':') throw new FrameRangeError("expected ':' after the three flags", text, 3);
    try {
      custom = parseFrameRanges(text.slice(4));
    } catch (e) {
      // Re-anchor the position to the whole pre_frames text.
      if (e instanceof FrameRangeError) throw new FrameRangeError(e.reason, text, e.position + 4);
      throw e;
    }
  }
  return { first: flags[0] === '1', middle: flags[1] === '1', last: flags[2] === '1', custom };
}

export function formatPreFrames(p: PreFrames): string {
  const flags = `${p.first ? 1 : 0}${p.middle ? 1 : 0}${p.last ? 1 : 0}`;
  return p.custom.length > 0 ? `${flags}:${formatFrameRanges(p.custom)}` : flags;
}

/**
 * The priority frames `pre_frames` selects among a task's frames (ascending):
 * the first, the middle (the lower one for an even count) and the last, plus
 * the custom frames that belong to the task.
 */
export function priorityFrames(pre: PreFrames, frames: readonly number[]): number[] {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const picked = new Set<number>();
  if (pre.first) picked.add(sorted[0]!);
  if (pre.middle) picked.add(sorted[Math.floor((sorted.length - 1) / 2)]!);
  if (pre.last) picked.add(sorted[sorted.length - 1]!);
  // Test membership instead of expanding: a custom range may be far larger than the task.
  for (const f of sorted) if (pre.custom.some((r) => inRange(r, f))) picked.add(f);
  return [...picked].sort((a, b) => a - b);
}
