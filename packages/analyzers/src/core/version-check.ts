/**
 * Whether a requested software version is the one the scene was saved with.
 * Equal texts match, and so does a dotted prefix either way ("18.5" and
 * "18.5.732"): a farm lists versions at the precision it installs them.
 */
export function versionsMatch(saved: string, requested: string): boolean {
  const a = saved.trim().toLowerCase();
  const b = requested.trim().toLowerCase();
  if (a === b) return true;
  return a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}
