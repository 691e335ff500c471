/**
 * Atomic file replacement: the new text goes to a temporary file in the same
 * folder (so the rename never crosses file systems), is flushed to disk, then
 * renamed over the target. A reader — or a crash at any moment — sees the old
 * file or the new one, never half of either.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permissions of the new file (e.g. 0o600 for credentials); default: those of the file replaced, else 0o644. */
  mode?: number;
}

export async function writeFileAtomic(
  path: string,
  text: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // Keep the permissions of the file being replaced (a user may have locked it down).
  const mode =
    options.mode ??
    (await stat(path).then(
      (s) => s.mode & 0o777,
      () => 0o644,
    ));
  const handle = await open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** Write a JSON document atomically with the reference's 4-space indent, non-ASCII kept as is. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 4)}\n`);
}

/**
 * Flush the folder entry so the rename itself survives a power cut. Windows
 * cannot open a folder for syncing; there the rename is already durable enough
 * for NTFS, so the failure is ignored.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // see above
  } finally {
    await handle?.close();
  }
}
