import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
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
