/**
 * Time-typed attributes in Maya binary files. Their `DBLE` chunk does not
 * hold a double but a big-endian 64-bit integer count of ticks, at the rate
 * the header's `TDUR` chunk gives (ticks per second: 141120000 in Maya 2023;
 * older files may say 6000). Verified on a real Maya 2023 `.mb`: `time1.o`
 * holds 3157560000 ticks = 537 frames at `film` (24 fps), the project's
 * timeline start in its `.ma` scenes.
 */

/** Ticks per second when the header has no `TDUR` (Maya's current rate). */
export const DEFAULT_TICKS_PER_SECOND = 141_120_000;

/** Frames per second of Maya's named time units (`currentUnit -t`). */
const UNIT_FPS: ReadonlyMap<string, number> = new Map([
  ['game', 15],
  ['film', 24],
  ['pal', 25],
  ['ntsc', 30],
  ['show', 48],
  ['palf', 50],
  ['ntscf', 60],
  ['hour', 1 / 3600],
  ['min', 1 / 60],
  ['sec', 1],
  ['millisec', 1000],
]);

/** fps of a time unit: named (`film`), or `<n>fps` (`23.976fps`, `120fps`); film when unknown. */
export function unitFps(unit: string | undefined): number {
  if (unit === undefined) return 24;
  const named = UNIT_FPS.get(unit);
  if (named !== undefined) return named;
  const m = /^(\d+(?:\.\d+)?)fps$/.exec(unit);
  return m ? Number(m[1]) : 24;
}

/** Attributes of type `time` whose values the analysis reads, by node name (long and short names). */
const TIME_ATTRIBUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['time1', new Set(['o', 'outTime', 'unw', 'unwarpedTime'])],
  ['defaultRenderGlobals', new Set(['fs', 'startFrame', 'ef', 'endFrame'])],
]);

export function isTimeAttribute(node: string, attr: string): boolean {
  return TIME_ATTRIBUTES.get(node)?.has(attr) === true;
}

/**
 * Whether an attribute's single `DBLE` value is a tick count. The chunk does
 * not say the attribute's type (a Render Setup override's value `atv` and
 * offset `ofs` take their target's; a plugin node's time attributes are not
 * in any table here). Tick counts read as doubles are subnormal (positive
 * counts below 2^52, over a year of frames) or NaN/infinite (negative ones);
 * no attribute holds such a double in a saved scene, so those bit patterns
 * are ticks. Zero reads as 0 either way.
 */
export function looksLikeTicks(view: DataView, at: number): boolean {
  const high = view.getUint32(at);
  const exponent = (high >>> 20) & 0x7ff;
  return (exponent === 0 && (high !== 0 || view.getUint32(at + 4) !== 0)) || exponent === 0x7ff;
}

/** Frames from a tick count, rounded to 1/1000 frame (ticks are exact; the fps division is not). */
export function ticksToFrames(view: DataView, at: number, ticksPerSecond: number, fps: number): number {
  const ticks = Number(view.getBigInt64(at));
  return Math.round(((ticks * fps) / ticksPerSecond) * 1000) / 1000;
}
