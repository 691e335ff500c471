/**
 * hashFile and the slabs that keep small files' bytes between hashing and
 * sending: digests right whatever the file did since its stat, kept bytes
 * exact, and slab memory reused only once every view of it was given back.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ByteSlabs } from '../src/transfer/byte-slabs.js';
import { hashFile } from '../src/transfer/hash-file.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('hashFile', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'openfarm-hash-file-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('small and large files, kept or not: the digest and the kept bytes are the file', async () => {
    const slabs = new ByteSlabs();
    for (const size of [0, 1, 100_000, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 5]) {
      const data = randomBytes(size);
      const path = join(work, `f${size}`);
      await writeFile(path, data);
      assert.deepEqual(await hashFile(path), { sha256: sha(data), size });
      assert.deepEqual(await hashFile(path, size), { sha256: sha(data), size });
      const kept = await hashFile(path, size, slabs);
      assert.equal(kept.sha256, sha(data));
      // Only files read in one call (up to 1 MiB) come back with their bytes.
      if (size <= 1024 * 1024) assert.ok(kept.bytes?.equals(data), `bytes of ${size}`);
      else assert.equal(kept.bytes, undefined);
      if (kept.bytes !== undefined) slabs.give(kept.bytes);
    }
  });

  test('a file that grew or shrank since its stat is hashed as it is now, its new size returned', async () => {
    const slabs = new ByteSlabs();
    const path = join(work, 'changing');
    const data = randomBytes(50_000);
    await writeFile(path, data);
    await appendFile(path, 'more');
    const grown = await hashFile(path, data.length, slabs);
    const now = Buffer.concat([data, Buffer.from('more')]);
    assert.deepEqual({ sha256: grown.sha256, size: grown.size }, { sha256: sha(now), size: now.length });
    await truncate(path, 10_000);
    const shrunk = await hashFile(path, data.length, slabs);
    assert.equal(shrunk.size, 10_000);
    assert.equal(shrunk.sha256, sha(data.subarray(0, 10_000)));
    assert.ok(shrunk.bytes?.equals(data.subarray(0, 10_000)));
  });
});

describe('ByteSlabs', () => {
  test('views never overlap, and a slab is reused only once all its views are given back', () => {
    const slabs = new ByteSlabs();
    const mb = 1024 * 1024;
    // Four 1 MiB views fill the first 4 MiB slab; the fifth starts a second one.
    const first = [slabs.take(mb), slabs.take(mb), slabs.take(mb), slabs.take(mb)];
    for (const [i, v] of first.entries()) v.fill(i + 1);
    const fifth = slabs.take(mb);
    fifth.fill(9);
    for (const [i, v] of first.entries())
      assert.ok(
        v.every((b) => b === i + 1),
        `view ${i} intact`,
      );
    assert.equal(slabs.slabsInUse, 2);
    // Three of four given back: the first slab stays out of use.
    for (const v of first.slice(0, 3)) slabs.give(v);
    assert.equal(slabs.slabsInUse, 2);
    // The last one too: its memory is free, and the next new slab is that memory.
    slabs.give(first[3] as Buffer);
    assert.equal(slabs.slabsInUse, 1);
    for (let i = 0; i < 3; i++) slabs.take(mb);
    const next = slabs.take(mb);
    assert.equal(next.buffer, (first[0] as Buffer).buffer);
    assert.ok(
      fifth.every((b) => b === 9),
      'the view still in use was not touched',
    );
    // Larger than a quarter slab: a buffer of its own, which giving back ignores.
    const big = slabs.take(mb + 1);
    assert.equal(big.length, mb + 1);
    assert.notEqual(big.buffer, next.buffer);
    slabs.give(big);
    assert.equal(slabs.slabsInUse, 2);
  });
});
