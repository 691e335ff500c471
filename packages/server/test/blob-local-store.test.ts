import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { LocalBlobStore } from '../src/blob/index.js';
import { blobStoreContract } from '../../protocol/test/blob-store.contract.js';
import { cachedBytes, noDirectWrites } from './support/page-cache.js';

blobStoreContract('local directory', async () => {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-blob-local-'));
  return {
    store: await LocalBlobStore.open(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

blobStoreContract('local directory, durable: false', async () => {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-blob-local-'));
  return {
    store: await LocalBlobStore.open(root, { durable: false }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

it('opening a local store sweeps temporary files left by a crashed writer', async () => {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-blob-sweep-'));
  try {
    await LocalBlobStore.open(root);
    const stale = join(root, 'tmp', 'stale');
    const fresh = join(root, 'tmp', 'fresh');
    await writeFile(stale, 'half');
    await writeFile(fresh, 'in flight');
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
    await utimes(stale, dayAgo, dayAgo);
    await LocalBlobStore.open(root);
    assert.deepEqual(await readdir(join(root, 'tmp')), ['fresh']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

it('a store written with the two-level layout is moved to one level when opened, once', async () => {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-blob-layout-'));
  try {
    const data = Buffer.from('an object stored by an older openfarm');
    const sha256 = createHash('sha256').update(data).digest('hex');
    const legacy = join(root, 'objects', sha256.slice(0, 2), sha256.slice(2, 4));
    await mkdir(legacy, { recursive: true });
    await writeFile(join(legacy, `${sha256}-${data.length}`), data);
    const store = await LocalBlobStore.open(root);
    const key = { sha256, size: data.length };
    assert.equal(await store.has(key), true);
    const chunks: Buffer[] = [];
    for await (const c of await store.get(key)) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data);
    assert.deepEqual(await readdir(join(root, 'objects', sha256.slice(0, 2))), [`${sha256}-${data.length}`]);
    // The marker keeps later opens from walking the folders again.
    assert.ok((await readdir(root)).includes('layout-v2'));
    await LocalBlobStore.open(root);
    assert.equal(await store.has(key), true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

it('putFile trusts a writer digest only when it names the same bytes as the key', async () => {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-blob-digest-'));
  try {
    const store = await LocalBlobStore.open(root, { durable: false });
    const data = Buffer.from('staged bytes');
    const key = { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
    const staged = join(root, 'staged');
    await writeFile(staged, data);
    const wrong = { sha256: createHash('sha256').update('other bytes').digest('hex'), size: data.length };
    await assert.rejects(store.putFile(key, staged, wrong), /hash|mismatch/i);
    assert.equal(await store.has(key), false);
    await writeFile(staged, data);
    await store.putFile(key, staged, key);
    assert.equal(await store.has(key), true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

it('a blob streamed in is written past the page cache, verified, in pieces of any size', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-blob-direct-'));
  try {
    const why = noDirectWrites(root);
    if (why !== false) return t.skip(why);
    const store = await LocalBlobStore.open(root, { durable: false });
    const data = randomBytes(6 * 1024 * 1024 + 321);
    const key = { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
    const pieces = function* (): Generator<Uint8Array> {
      // Plain bytes (not Buffers) of odd sizes, as a stream of any source may yield.
      for (let at = 0; at < data.length; at += 65_519) yield new Uint8Array(data.subarray(at, at + 65_519));
    };
    await store.put(key, Readable.from(pieces()));
    const object = join(root, 'objects', key.sha256.slice(0, 2), `${key.sha256}-${key.size}`);
    // Only the last partial block went through the cache (fincore counts whole pages).
    assert.ok(cachedBytes(object) <= 4096, `${cachedBytes(object)} bytes cached`);
    const back: Buffer[] = [];
    for await (const c of await store.get(key)) back.push(c as Buffer);
    assert.ok(Buffer.concat(back).equals(data));
    // A streamed blob whose bytes do not match its key is refused and leaves nothing behind.
    const wrong = { sha256: '0'.repeat(64), size: data.length };
    await assert.rejects(store.put(wrong, Readable.from(pieces())), /match/);
    assert.equal(await store.has(wrong), false);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
