import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { LocalBlobStore } from '../src/blob/index.js';
import { blobStoreContract } from './blob-store.contract.js';

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
