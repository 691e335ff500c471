/**
 * One spelling for DCC versions, so what a render node advertises and what a
 * task asks for compare as numbers. Vendors name releases differently from
 * what the analyzers read out of a scene:
 *   Clarisse  `clarisse_ifx_4.0_sp3` (install folder, rayvision cg_version)  → `4.0.3`;
 *             a project saved by Clarisse 4 carries `4`.
 *   Katana    `4.0v5` (Foundry's MAJOR.MINORvPATCH)                          → `4.0.5`.
 * Everything else (Maya `2024`, Houdini `19.5.303`, Blender `3.4.1`) is
 * already dotted numbers and only trimmed and lower-cased. The matcher then
 * lets a more precise version satisfy a less precise one (`4.0.3` renders a
 * task asking for `4`, never the reverse).
 */
export function canonicalVersion(version: string): string {
  const v = version.trim().toLowerCase();
  const clarisse = /^clarisse(?:_[a-z]+)*?_(\d+)\.(\d+)(?:_sp(\d+))?$/.exec(v);
  if (clarisse !== null) return [clarisse[1], clarisse[2], clarisse[3] ?? '0'].join('.');
  const foundry = /^(\d+)\.(\d+)v(\d+)$/.exec(v);
  if (foundry !== null) return `${foundry[1]}.${foundry[2]}.${foundry[3]}`;
  return v;
}
