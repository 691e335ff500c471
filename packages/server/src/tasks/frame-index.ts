/** The reference's `frameIndex` of one schedulable unit: `"6"`, `"7-9[1]"`, or a comma list when unevenly spaced. */
export function formatFrameIndex(frames: readonly number[]): string {
  if (frames.length === 1) return String(frames[0]);
  const step = frames[1]! - frames[0]!;
  const even = step > 0 && frames.every((f, i) => i === 0 || f - frames[i - 1]! === step);
  return even ? `${frames[0]}-${frames[frames.length - 1]}[${step}]` : frames.join(',');
}
