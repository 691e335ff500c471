/**
 * Small objects handed over in memory live in pack files (see
 * src/blob/pack-appender.ts); these tests cover what the shared contract
 * cannot see from outside: where the bytes go, rolling over, two stores on one
 * folder, a lost index, and a process killed while appending.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BlobKey, LocalBlobStore } from '../src/blob/index.js';

const CHILD = fileURLToPath(new URL('./blob-pack-writer-child.ts', import.meta.url));

const keyOf = (b: Buffer): BlobKey => ({
  sha256: createHash('sha256').update(b).digest('hex'),
  size: b.length,
});

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function objectFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of await readdir(join(root, 'objects')))
    out.push(...(await readdir(join(root, 'objects', dir))));
  return out;
}

const packFiles = async (root: string): Promise<string[]> =>
  (await readdir(join(root, 'packs'))).filter((n) => n.endsWith('.pack')).sort();

async function withRoot(body: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-blob-packs-'));
  try {
    await body(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

it('small objects handed over in memory go into one pack, no file each, and are found after a restart', () =>
  withRoot(async (root) => {
    const store = await LocalBlobStore.open(root);
    const small = Array.from({ length: 300 }, (_, i) => randomBytes(i * 97));
    const largest = randomBytes(1024 * 1024);
    const tooLarge = randomBytes(1024 * 1024 + 1);
    await Promise.all([...small, largest, tooLarge].map((b) => store.put(keyOf(b), b)));
    // Only the object above the packing limit is a file of its own.
    assert.deepEqual(await objectFiles(root), [`${keyOf(tooLarge).sha256}-${tooLarge.length}`]);
    assert.equal((await packFiles(root)).length, 1);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    await store.close();

    const again = await LocalBlobStore.open(root);
    for (const b of [...small, largest, tooLarge]) {
      assert.ok(((await again.stat(keyOf(b)))?.storedAtMs ?? 0) > 0);
      assert.ok((await readAll(await again.get(keyOf(b)))).equals(b));
    }
    await again.close();
  }));

it('a store whose packing is off keeps each object a file, and still reads packed ones', () =>
  withRoot(async (root) => {
    const packed = randomBytes(5_000);
    const packing = await LocalBlobStore.open(root, { durable: false });
    await packing.put(keyOf(packed), packed);
    await packing.close();
    const store = await LocalBlobStore.open(root, { durable: false, packSmallObjects: false });
    const data = randomBytes(5_000);
    await store.put(keyOf(data), data);
    assert.deepEqual(await objectFiles(root), [`${keyOf(data).sha256}-${data.length}`]);
    assert.ok((await readAll(await store.get(keyOf(packed)))).equals(packed));
    await store.close();
  }));

it('packs roll over at their size limit; two stores on one folder append to their own packs and see each other', () =>
  withRoot(async (root) => {
    const a = await LocalBlobStore.open(root, { durable: false, maxPackBytes: 250_000 });
    const b = await LocalBlobStore.open(root, { durable: false, maxPackBytes: 250_000 });
    const fromA = Array.from({ length: 10 }, () => randomBytes(100_000));
    const fromB = Array.from({ length: 3 }, () => randomBytes(100_000));
    await Promise.all([...fromA.map((x) => a.put(keyOf(x), x)), ...fromB.map((x) => b.put(keyOf(x), x))]);
    // Two 100 KB records fit under 250,000 bytes, a third does not: 5 packs for a, 2 for b.
    const packs = await packFiles(root);
    assert.equal(packs.length, 7);
    for (const p of packs) assert.ok((await stat(join(root, 'packs', p))).size <= 250_000);
    for (const x of [...fromA, ...fromB]) {
      assert.ok((await readAll(await a.get(keyOf(x)))).equals(x));
      assert.ok((await readAll(await b.get(keyOf(x)))).equals(x));
    }
    await Promise.all([a.close(), b.close()]);
  }));

it('a lost index is rebuilt from the packs when the store opens: whole, verified records only, read past damage', () =>
  withRoot(async (root) => {
    const store = await LocalBlobStore.open(root, { durable: false });
    const objects = Array.from({ length: 6 }, (_, i) => randomBytes(1_000 + i));
    // One at a time, so the records lie in this order.
    for (const x of objects) await store.put(keyOf(x), x);
    await store.close();
    const [pack] = await packFiles(root);
    const packPath = join(root, 'packs', pack as string);
    // Records are a 44-byte header, then the bytes: record i starts at 44 i + the sizes before it.
    const recordAt = (i: number): number => objects.slice(0, i).reduce((n, x) => n + 44 + x.length, 0);
    const fh = await open(packPath, 'r+');
    // Flip a byte inside the third object's bytes.
    const one = Buffer.alloc(1);
    await fh.read(one, 0, 1, recordAt(2) + 44 + 500);
    one[0] = (one[0] as number) ^ 0xff;
    await fh.write(one, 0, 1, recordAt(2) + 44 + 500);
    // Zero the fourth record's header: a gap a write never filled.
    await fh.write(Buffer.alloc(44), 0, 44, recordAt(3));
    await fh.close();
    // A torn tail: the header of a 1,000-byte record with only 10 of its bytes.
    const torn = randomBytes(1_000);
    const header = Buffer.alloc(44);
    header.write('OFB1', 0, 'latin1');
    header.write(keyOf(torn).sha256, 4, 32, 'hex');
    header.writeBigUInt64BE(1_000n, 36);
    await appendFile(packPath, Buffer.concat([header, torn.subarray(0, 10)]));
    await rm(join(root, 'packs', 'index.sqlite'));

    const rebuilt = await LocalBlobStore.open(root, { durable: false });
    // The scan reads past the corrupt record and the gap, to the records after them.
    assert.deepEqual(rebuilt.packsIndexedAtOpen, { packs: 1, objects: 4, corrupt: 1 });
    for (const [i, x] of objects.entries()) {
      if (i === 2 || i === 3) {
        assert.equal(await rebuilt.has(keyOf(x)), false, `record ${i}: damaged`);
      } else {
        assert.ok((await readAll(await rebuilt.get(keyOf(x)))).equals(x));
      }
    }
    assert.equal(await rebuilt.has(keyOf(torn)), false);
    // New objects go to a new pack, never after the torn tail.
    const next = randomBytes(2_000);
    await rebuilt.put(keyOf(next), next);
    assert.equal((await packFiles(root)).length, 2);
    await rebuilt.close();
    const reopened = await LocalBlobStore.open(root, { durable: false });
    assert.deepEqual(reopened.packsIndexedAtOpen, { packs: 0, objects: 0, corrupt: 0 });
    assert.ok((await readAll(await reopened.get(keyOf(next)))).equals(next));
    assert.ok((await readAll(await reopened.get(keyOf(objects[4] as Buffer)))).equals(objects[4] as Buffer));
    await reopened.close();
  }));

it('closing a store waits for the appends under way, their fsyncs included', () =>
  withRoot(async (root) => {
    const store = await LocalBlobStore.open(root);
    const objects = Array.from({ length: 50 }, () => randomBytes(20_000));
    const puts = objects.map((x) => store.put(keyOf(x), x));
    await store.close();
    await Promise.all(puts);
    const again = await LocalBlobStore.open(root);
    for (const x of objects) assert.ok((await readAll(await again.get(keyOf(x)))).equals(x));
    await again.close();
  }));

for (const mode of ['durable', 'fast'] as const) {
  it(`kill -9 while appending (${mode}): every object reported stored is there and verified, nothing else is visible`, () =>
    withRoot(async (root) => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, root, mode], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const reported: BlobKey[] = [];
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.once('exit', (code) => reject(new Error(`the writer exited with ${code} before the kill`)));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const lines = out.split('\n');
          out = lines.pop() ?? '';
          for (const l of lines) reported.push(JSON.parse(l) as BlobKey);
          if (reported.length >= 300) resolve();
        });
      });
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;

      const store = await LocalBlobStore.open(root, { durable: false });
      for (const key of reported) {
        const back = await readAll(await store.get(key));
        assert.deepEqual(keyOf(back), key);
      }
      // Whatever else the pack holds (writes cut short) stays invisible; the store takes new objects.
      const next = randomBytes(3_000);
      await store.put(keyOf(next), next);
      assert.ok((await readAll(await store.get(keyOf(next)))).equals(next));
      await store.close();
    }));
}
