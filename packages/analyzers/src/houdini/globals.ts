/**
 * Global sections: `.variables` (`set -g NAME = 'value'`, among them
 * `_HIP_SAVEVERSION`, the Houdini version) and `.start` (`fps`, `frange`,
 * `tcur`: playbar rate, global range = `$FSTART`/`$FEND`, current time).
 */
export interface HipStart {
  fps: number;
  frameStart: number;
  frameEnd: number;
  /** Current time in seconds; the current frame is `tcur * fps + 1`. */
  currentTime: number;
}

export function parseVariables(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^set\s+(?:-g\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*'((?:[^'\\]|\\.)*)'\s*$/.exec(line.trim());
    if (m) vars.set(m[1]!, m[2]!.replace(/\\(.)/g, '$1'));
  }
  return vars;
}

/** Houdini's defaults (24 fps, 1–240, time 0) stand in for anything `.start` lacks. */
export function parseStart(text: string): HipStart {
  const start: HipStart = { fps: 24, frameStart: 1, frameEnd: 240, currentTime: 0 };
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const nums = words.slice(1).map(Number);
    if (words[0] === 'fps' && isPositive(nums[0])) start.fps = nums[0]!;
    else if (words[0] === 'frange' && Number.isFinite(nums[0]) && Number.isFinite(nums[1])) {
      start.frameStart = nums[0]!;
      start.frameEnd = nums[1]!;
    } else if (words[0] === 'tcur' && Number.isFinite(nums[0])) start.currentTime = nums[0]!;
  }
  return start;
}

function isPositive(n: number | undefined): n is number {
  return n !== undefined && Number.isFinite(n) && n > 0;
}
