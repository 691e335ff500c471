/**
 * Locating DCC executables. A node advertises a renderer only when its binary
 * really exists and is executable, so detection looks at PATH, the DCC's own
 * environment variable (MAYA_LOCATION, HFS, …) and its default install folders.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable named `name` in `dirs`, then on PATH. */
export function findExecutable(
  name: string,
  dirs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const pathDirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const d of [...dirs, ...pathDirs]) {
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

/**
 * Install folders under `parent` whose name matches `pattern` (e.g. `/opt` and
 * /^hfs/), newest name first, each joined with `sub` (e.g. `bin`).
 */
export function installDirs(parent: string, pattern: RegExp, sub: string): string[] {
  try {
    return readdirSync(parent)
      .filter((n) => pattern.test(n))
      .sort()
      .reverse()
      .map((n) => join(parent, n, sub));
  } catch {
    return [];
  }
}

/** Version text carried by an install path (`/usr/autodesk/maya2024/bin/Render` → `2024`), if any. */
export function versionFromPath(executable: string, pattern: RegExp): string | undefined {
  return pattern.exec(executable)?.[1];
}
