/**
 * `appendToUpload` (reference §3.7): add files — or every file under a folder —
 * to upload.json's `asset` list as `{local, server}` entries.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { localToServerPath } from '@openfarm/protocol';
import { RayvisionError } from '../errors.js';
import { writeJsonAtomic } from './atomic-write.js';
import { isJsonObject, type JsonObject } from './read-json.js';

export interface UploadEntry {
  local: string;
  server: string;
}

/** The `local` text of an entry: an absolute path with forward slashes, as the reference writes it. */
export function toUploadLocal(path: string): string {
  return resolve(path).replace(/\\/g, '/');
}

/**
 * Read upload.json. A missing file is 1000006; a file that is not a JSON
 * object with an `asset` list is treated as empty, as the reference does, so
 * a half-edited file can be repaired by appending to it.
 */
async function readUploadJson(uploadJsonPath: string): Promise<JsonObject & { asset: UploadEntry[] }> {
  let text: string;
  try {
    text = await readFile(uploadJsonPath, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RayvisionError('UPLOAD_JSON_MISSING', `upload.json not found: ${uploadJsonPath}`, { cause });
    }
    throw cause;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (!isJsonObject(doc) || !Array.isArray(doc.asset)) return { asset: [] };
  const asset = doc.asset.filter(
    (e): e is UploadEntry => isJsonObject(e) && typeof e.local === 'string' && typeof e.server === 'string',
  );
  return { ...doc, asset };
}

/** Every regular file under `dir`, sorted, following links but never the same folder twice. */
async function filesUnder(dir: string, seen: Set<string>, out: string[]): Promise<void> {
  const real = await realpath(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const p = join(dir, name);
    const s = await stat(p).catch(() => undefined); // a dangling link has nothing to upload
    if (s?.isDirectory()) await filesUnder(p, seen, out);
    else if (s?.isFile()) out.push(p);
  }
}

/**
 * Append files and folders (walked recursively) to upload.json. Every path
 * must exist — the missing ones are all listed in one 1000004 error and
 * nothing is written. Entries whose `local` is already present are skipped.
 * Returns the entries added.
 */
export async function appendToUpload(
  paths: string | readonly string[],
  uploadJsonPath: string,
): Promise<UploadEntry[]> {
  const list = typeof paths === 'string' ? [paths] : paths;
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || p === '')) {
    throw new RayvisionError(
      'PATH_TYPE_ERROR',
      'paths must be a non-empty string or a list of non-empty strings',
    );
  }
  const stats = await Promise.all(list.map((p) => stat(p).catch(() => undefined)));
  const missing = list.filter((_, i) => stats[i] === undefined);
  if (missing.length > 0) {
    throw new RayvisionError('FILE_NOT_FOUND', `path does not exist: ${missing.join(', ')}`, {
      detail: { missing },
    });
  }
  const doc = await readUploadJson(uploadJsonPath);
  const files: string[] = [];
  const seen = new Set<string>();
  for (const [i, p] of list.entries()) {
    if (stats[i]?.isDirectory()) await filesUnder(p, seen, files);
    else files.push(p);
  }
  const present = new Set(doc.asset.map((e) => e.local));
  const added: UploadEntry[] = [];
  for (const file of files) {
    const local = toUploadLocal(file);
    if (present.has(local)) continue;
    present.add(local);
    added.push({ local, server: localToServerPath(local) });
  }
  if (added.length > 0) {
    doc.asset.push(...added);
    await writeJsonAtomic(uploadJsonPath, doc);
  }
  return added;
}
