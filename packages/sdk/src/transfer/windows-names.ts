/**
 * File names a Windows workstation cannot hold. A render node on Linux may
 * write any of them, and the farm keeps them as they are; written as-is on
 * Windows they go wrong quietly: `a:b.exr` becomes an alternate data stream of
 * a file `a`, `CON.png` or `nul` is a device, a trailing dot or space is
 * dropped (so `a.` and `a` are one file), and `<>"|?*` are refused by the
 * file system. A download on Windows reports such a file instead (the list of
 * Microsoft's "Naming Files, Paths, and Namespaces"; control characters never
 * get this far: serverPathToLocal refuses them on every platform).
 */
const RESERVED = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(?:\..*)?$/i;
const FORBIDDEN = /[<>:"|?*\\]/;

/** Why `name` cannot be a Windows file or folder name, or undefined when it can. */
export function windowsNameProblem(name: string): string | undefined {
  const bad = FORBIDDEN.exec(name);
  if (bad !== null) return `'${bad[0]}' is not allowed in a Windows file name`;
  if (RESERVED.test(name)) return `${name.split('.')[0]} is a device name on Windows`;
  if (/[. ]$/.test(name)) return 'Windows drops a trailing dot or space from a file name';
  return undefined;
}
