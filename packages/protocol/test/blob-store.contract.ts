/**
 * The contract every BlobStore implementation passes (the server's local directory
 * store, @openfarm/blob-s3). It lives beside the interface, so a backend package needs
 * nothing of the server to run it. An implementation's test
 * file calls `blobStoreContract('name', factory)`; the factory returns a fresh,
 * empty store and a cleanup function.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BlobHashMismatchError, type BlobKey, BlobNotFoundError, type BlobStore } from '../src/index.js';

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
}

function keyOf(buf: Buffer): BlobKey {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

/** A stream that yields `parts`, then fails: a client whose connection drops mid-upload. */
async function* failingAfter(parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
  throw new Error('connection reset');
}

export function blobStoreContract(name: string, makeStore: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fx: BlobStoreFixture;
    let scratch: string;
    before(async () => {
      fx = await makeStore();
      scratch = await mkdtemp(join(tmpdir(), 'openfarm-blob-contract-'));
    });
    after(async () => {
      await fx.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    it('stores a stream, then has/stat/get return it', async () => {
      const data = randomBytes(300_000);
      const key = keyOf(data);
      assert.equal(await fx.store.has(key), false);
      assert.equal(await fx.store.stat(key), undefined);
      await fx.store.put(key, Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      assert.equal(await fx.store.has(key), true);
      const s = await fx.store.stat(key);
      assert.equal(s?.size, data.length);
      assert.equal(s?.sha256, key.sha256);
      assert.deepEqual(await readAll(await fx.store.get(key)), data);
    });

    it('serves byte ranges', async () => {
      const data = randomBytes(10_000);
      const key = keyOf(data);
      await fx.store.put(key, Readable.from([data]));
      assert.deepEqual(
        await readAll(await fx.store.get(key, { offset: 100, length: 50 })),
        data.subarray(100, 150),
      );
      assert.deepEqual(await readAll(await fx.store.get(key, { offset: 9_990 })), data.subarray(9_990));
      assert.equal((await readAll(await fx.store.get(key, { offset: 10_000 }))).length, 0);
      await assert.rejects(fx.store.get(key, { offset: 10_001 }), RangeError);
      await assert.rejects(fx.store.get(key, { offset: 9_000, length: 2_000 }), RangeError);
    });

    it('stores the empty blob', async () => {
      const key = keyOf(Buffer.alloc(0));
      await fx.store.put(key, Readable.from([]));
      assert.equal(await fx.store.has(key), true);
      assert.equal((await readAll(await fx.store.get(key))).length, 0);
    });

    it('refuses content that does not match the key and leaves nothing visible', async () => {
      const data = randomBytes(5_000);
      const key = keyOf(data);
      const other = randomBytes(5_000);
      await assert.rejects(fx.store.put(key, Readable.from([other])), BlobHashMismatchError);
      assert.equal(await fx.store.has(key), false);
      // Right bytes, wrong size in the key.
      const wrongSize = { sha256: key.sha256, size: key.size + 1 };
      await assert.rejects(fx.store.put(wrongSize, Readable.from([data])), BlobHashMismatchError);
      assert.equal(await fx.store.has(wrongSize), false);
    });

    it('leaves nothing visible when the source fails mid-stream', async () => {
      const data = randomBytes(64_000);
      const key = keyOf(data);
      await assert.rejects(fx.store.put(key, failingAfter([data.subarray(0, 32_000)])), /connection reset/);
      assert.equal(await fx.store.has(key), false);
      await assert.rejects(fx.store.get(key), BlobNotFoundError);
    });

    it('stores a local file with putFile, verifying it', async () => {
      const data = randomBytes(200_000);
      const key = keyOf(data);
      const good = join(scratch, 'good.bin');
      await writeFile(good, data);
      await fx.store.putFile(key, good);
      assert.deepEqual(await readAll(await fx.store.get(key)), data);

      const bad = join(scratch, 'bad.bin');
      const data2 = randomBytes(1_000);
      await writeFile(bad, randomBytes(1_000));
      await assert.rejects(fx.store.putFile(keyOf(data2), bad), BlobHashMismatchError);
      assert.equal(await fx.store.has(keyOf(data2)), false);
    });

    it('storing an existing object again keeps it intact', async () => {
      const data = randomBytes(2_000);
      const key = keyOf(data);
      await fx.store.put(key, Readable.from([data]));
      await fx.store.put(key, Readable.from([data]));
      assert.deepEqual(await readAll(await fx.store.get(key)), data);
    });

    it('deletes', async () => {
      const data = randomBytes(1_000);
      const key = keyOf(data);
      await fx.store.put(key, Readable.from([data]));
      assert.equal(await fx.store.delete(key), true);
      assert.equal(await fx.store.has(key), false);
      assert.equal(await fx.store.delete(key), false);
      await assert.rejects(fx.store.get(key), BlobNotFoundError);
    });

    it('stores bytes handed over in memory, the empty blob too, and serves their ranges', async () => {
      const small = randomBytes(70_000);
      const empty = Buffer.alloc(0);
      // Side by side, as a batch upload stores them.
      await Promise.all([small, empty].map((b) => fx.store.put(keyOf(b), b)));
      assert.deepEqual(await readAll(await fx.store.get(keyOf(small))), small);
      assert.deepEqual(
        await readAll(await fx.store.get(keyOf(small), { offset: 69_000, length: 1_000 })),
        small.subarray(69_000),
      );
      assert.equal((await readAll(await fx.store.get(keyOf(small), { offset: 70_000 }))).length, 0);
      await assert.rejects(fx.store.get(keyOf(small), { offset: 70_001 }), RangeError);
      assert.equal((await fx.store.stat(keyOf(small)))?.size, small.length);
      assert.equal((await readAll(await fx.store.get(keyOf(empty)))).length, 0);
      // Stored again: still one intact object.
      await fx.store.put(keyOf(small), small);
      assert.deepEqual(await readAll(await fx.store.get(keyOf(small))), small);
      assert.equal(await fx.store.delete(keyOf(small)), true);
      assert.equal(await fx.store.has(keyOf(small)), false);
      await assert.rejects(fx.store.get(keyOf(small)), BlobNotFoundError);
      assert.equal(await fx.store.delete(keyOf(small)), false);
    });

    it('refuses bytes in memory that do not match the key and leaves nothing visible', async () => {
      const data = randomBytes(3_000);
      const key = keyOf(data);
      await assert.rejects(fx.store.put(key, randomBytes(3_000)), BlobHashMismatchError);
      await assert.rejects(fx.store.put({ ...key, size: 2_999 }, data), BlobHashMismatchError);
      assert.equal(await fx.store.has(key), false);
      assert.equal(await fx.store.has({ ...key, size: 2_999 }), false);
      await assert.rejects(fx.store.put({ sha256: 'B'.repeat(64), size: 3_000 }, data), TypeError);
    });

    it('rejects malformed keys', async () => {
      await assert.rejects(fx.store.has({ sha256: '../../etc/passwd', size: 1 }), TypeError);
      await assert.rejects(fx.store.has({ sha256: 'A'.repeat(64), size: 1 }), TypeError);
      await assert.rejects(fx.store.has({ sha256: 'a'.repeat(64), size: -1 }), TypeError);
    });
  });
}
