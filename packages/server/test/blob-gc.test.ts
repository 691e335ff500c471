/**
 * The blob garbage collector on the local store (packs and files) against a farm
 * taking uploads (support/gc-scenario.ts; the same scenario runs on RGW in the
 * CLI's blobs-gc-rgw test), and the restore of a blob an upload found stored just
 * before the collector hid it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalBlobStore } from '../src/blob/index.js';
import { collectGarbage, startGcSchedule } from '../src/blob-gc/index.js';
import { startTestFarm } from './support/farm.js';
import { bytesOf, gcWhileUploading, keyOf } from './support/gc-scenario.js';

/** Long next to one small upload's request on a loaded machine, short for a test. */
const GRACE_MS = 1500;

async function withLocalStore(run: (blobs: LocalBlobStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-gc-'));
  const blobs = await LocalBlobStore.open(dir, { durable: false });
  try {
    await run(blobs);
  } finally {
    await blobs.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('the garbage collector removes only unreferenced blobs while uploads run', () =>
  withLocalStore((blobs) => gcWhileUploading(blobs, GRACE_MS)));

test('a blob found stored just before it was hidden is given back once its reference is written', () =>
  withLocalStore(async (blobs) => {
    const farm = await startTestFarm();
    try {
      const db = farm.server.farm.store.db;
      const alice = await farm.addUser('alice');
      for (const b of [randomBytes(5000), randomBytes(70_000)]) {
        const k = keyOf(b);
        await (b.length < 10_000 ? blobs.put(k, new Uint8Array(b)) : blobs.put(k, Readable.from([b])));
        await sleep(20);
        // The collector hides it, as if between an upload's `has` and its insert.
        assert.equal(await blobs.quarantine(k, Date.now()), true);
        assert.equal(await blobs.has(k), false);
        await db
          .insertInto('transfer_user_blobs')
          .values({ user_id: alice.userId, sha256: k.sha256, size: k.size, created_at: Date.now() })
          .execute();
        const r = await collectGarbage({ db, blobs, graceMs: GRACE_MS });
        assert.equal(r.restored, 1);
        assert.ok((await bytesOf(blobs, k)).equals(b));
      }
    } finally {
      await farm.close();
    }
  }));

test('the schedule collects every interval until stopped', () =>
  withLocalStore(async (blobs) => {
    const farm = await startTestFarm();
    try {
      const orphan = randomBytes(3000);
      await blobs.put(keyOf(orphan), new Uint8Array(orphan));
      const runs: number[] = [];
      const schedule = startGcSchedule({
        db: farm.server.farm.store.db,
        blobs,
        intervalMs: 50,
        graceMs: 0,
        onRun: (r) => runs.push(r.purged),
      });
      while (!runs.some((n) => n > 0)) await sleep(50);
      await schedule.stop();
      const after = runs.length;
      await sleep(200);
      assert.equal(runs.length, after, 'no run after stop');
      assert.equal(await blobs.has(keyOf(orphan)), false);
    } finally {
      await farm.close();
    }
  }));
