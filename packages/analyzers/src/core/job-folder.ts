import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, posix, resolve, win32 } from 'node:path';
import { AnalyzeError } from './errors.js';

/**
 * The workspace that holds job folders. The default (`%USERPROFILE%` or
 * `$HOME` + `renderfarm_sdk`, as the reference) is created on demand; an
 * explicit one must already exist so a typo does not scatter job folders.
 */
export function resolveWorkspace(explicit: string | undefined): string {
  if (explicit !== undefined) {
    const dir = resolve(explicit);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new AnalyzeError('WORKSPACE_NOT_FOUND', 'workspace folder does not exist', dir);
    return dir;
  }
  const dir = defaultWorkspace();
  try {
    mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw new AnalyzeError('IO', 'cannot create the default workspace', dir, { cause });
  }
  return dir;
}

/**
 * `renderfarm_sdk` in the user's home: `%USERPROFILE%` on Windows, `$HOME`
 * elsewhere, with that platform's path rules (the platform is injected in
 * tests, so a Windows home is checked on any machine). The SDK's sdkHomeDir
 * follows the same rule for db_config.ini.
 */
export function defaultWorkspace(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || homedir();
  return (platform === 'win32' ? win32 : posix).join(home, 'renderfarm_sdk');
}

/**
 * Create `<workspace>/<unix seconds><pid>/` (the reference's tmp_mark). Two
 * analyzers in one process within the same second get `…_1`, `…_2`: the
 * folder is claimed with a non-recursive mkdir, so the check is atomic.
 */
export function createJobFolder(workspace: string): string {
  const mark = `${Math.floor(Date.now() / 1000)}${process.pid}`;
  for (let n = 0; n < 10_000; n++) {
    const dir = join(workspace, n === 0 ? mark : `${mark}_${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AnalyzeError('IO', 'cannot create the job folder', dir, { cause });
      }
    }
  }
  throw new AnalyzeError('IO', 'too many job folders with the same time stamp', join(workspace, mark));
}
