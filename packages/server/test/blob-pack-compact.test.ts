/**
 * Compaction of mostly dead packs: live records (visible and quarantined) are
 * copied to a new pack and the old file goes, and a process killed with SIGKILL
 * at any step of it loses nothing: every visible object still reads back whole,
 * a quarantined one can still be restored, a purged one stays gone, and the next
 * compaction finishes the work.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type BlobKey, LocalBlobStore } from '../src/blob/index.js';

const CHILD = new URL('./blob-pack-compact-child.ts', import.meta.url).pathname;

function keyOf(buf: Buffer): BlobKey {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

async function readAll(store: LocalBlobStore, key: BlobKey): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of await store.get(key)) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

async function packBytes(root: string): Promise<number> {
  let n = 0;
  for (const name of await readdir(join(root, 'packs'))) {
    if (name.endsWith('.pack')) n += (await stat(join(root, 'packs', name))).size;
  }
  return n;
}

interface Fixture {
  root: string;
  visible: Buffer[];
  hidden: Buffer[];
  purged: Buffer[];
}

/** 48 small objects in packs of about 40 KiB; 36 purged, 4 quarantined, 8 visible. */
async function fixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'openfarm-compact-'));
  const all = Array.from({ length: 48 }, () => randomBytes(2000 + Math.floor(Math.random() * 6000)));
  const writer = await LocalBlobStore.open(root, { durable: false, maxPackBytes: 40_000 });
  for (const b of all) await writer.put(keyOf(b), new Uint8Array(b));
  const f: Fixture = { root, visible: [], hidden: [], purged: [] };
  for (const [i, b] of all.entries()) {
    if (i % 6 === 0) f.visible.push(b);
    else if (i % 12 === 1) f.hidden.push(b);
    else f.purged.push(b);
  }
  for (const b of [...f.hidden, ...f.purged]) assert.ok(await writer.quarantine(keyOf(b), Date.now() + 1));
  for (const b of f.purged) await writer.purge(keyOf(b));
  await writer.close();
  return f;
}

async function assertNothingLost(f: Fixture): Promise<void> {
  const store = await LocalBlobStore.open(f.root, { durable: false, packSmallObjects: false });
  try {
    assert.equal(store.packsIndexedAtOpen.objects, 0, 'no pack file taken for an unknown one');
    for (const b of f.visible) assert.ok((await readAll(store, keyOf(b))).equals(b), 'visible object intact');
    for (const b of f.purged) assert.equal(await store.has(keyOf(b)), false, 'purged object stays gone');
    const hidden = new Set<string>();
    for await (const q of store.listQuarantined()) hidden.add(q.sha256);
    for (const b of f.hidden) assert.ok(hidden.has(keyOf(b).sha256), 'quarantined object kept');
  } finally {
    await store.close();
  }
}

test('a mostly dead pack is rewritten and its file deleted by the next run', async () => {
  const f = await fixture();
  try {
    const before = await packBytes(f.root);
    const store = await LocalBlobStore.open(f.root, { durable: false });
    const first = await store.compact();
    assert.ok(first.compacted > 0, JSON.stringify(first));
    const second = await store.compact();
    assert.ok(second.bytesDeleted > 0);
    for (const b of f.hidden) await store.restore(keyOf(b));
    for (const b of [...f.visible, ...f.hidden]) assert.ok((await readAll(store, keyOf(b))).equals(b));
    await store.close();
    const after = await packBytes(f.root);
    assert.ok(after < before / 2, `packs took ${before} bytes, now ${after}`);
  } finally {
    await rm(f.root, { recursive: true, force: true });
  }
});

for (const [step, occurrence] of [
  ['new-pack-named', 1],
  ['record-copied', 2],
  ['new-pack-written', 1],
  ['swapped', 1],
  ['new-pack-named', 2],
  ['old-file-deleted', 1],
] as const) {
  test(`kill -9 at ${step} (#${occurrence}) loses nothing, and the next compaction finishes`, async () => {
    const f = await fixture();
    try {
      if (step === 'old-file-deleted') {
        // Replaced packs to delete: a finished compaction first.
        const s = await LocalBlobStore.open(f.root, { durable: false });
        await s.compact();
        await s.close();
      }
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', CHILD, f.root, step, String(occurrence)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      assert.equal(signal, 'SIGKILL', `the child was to be killed at ${step}: exit ${code}, ${out}`);
      await assertNothingLost(f);
      const store = await LocalBlobStore.open(f.root, { durable: false });
      // Any dead byte counts here, so that what is left can be checked exactly.
      await store.compact({ minDeadFraction: 0.001 });
      await store.compact({ minDeadFraction: 0.001 });
      await store.close();
      await assertNothingLost(f);
      // Only live records are left on disk: no dead bytes, no unfinished or replaced pack file.
      const live = [...f.visible, ...f.hidden].reduce((n, b) => n + 44 + b.length, 0);
      assert.equal(await packBytes(f.root), live);
    } finally {
      await rm(f.root, { recursive: true, force: true });
    }
  });
}
