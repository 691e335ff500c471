/** What the page cache holds of a file, and whether direct writes can be checked here. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of `file` held in the page cache, as util-linux's fincore counts them. */
export function cachedBytes(file: string): number {
  const r = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

/** Why direct writes cannot be checked here, or false when they can. */
export function noDirectWrites(dir: string): string | false {
  if (constants.O_DIRECT === undefined) return 'this platform has no O_DIRECT';
  if (spawnSync('fincore', ['--version']).status !== 0) return 'needs fincore (util-linux)';
  const probe = join(dir, 'probe');
  closeSync(openSync(probe, 'w'));
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_DIRECT));
    return false;
  } catch {
    return "the temp folder's file system refuses O_DIRECT";
  }
}
