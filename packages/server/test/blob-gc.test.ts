/**
 * The blob garbage collector against a farm taking uploads: old blobs nothing
 * references go (packed and stored as files), everything an upload references
 * stays readable, including a blob an upload finds stored (and so does not send
 * again) while the collector is hiding it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BlobKey, LocalBlobStore } from '../src/blob/index.js';
import { collectGarbage, type GarbageReport } from '../src/blob-gc/index.js';
import { TRANSFER_PATHS, transferPlugin } from '../src/transfer/index.js';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';

/** Long next to one small upload's request on a loaded machine, short for a test. */
const GRACE_MS = 1500;

function keyOf(buf: Buffer): BlobKey {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

class Uploader extends Client {
  private token: string | undefined;

  private async bearer(): Promise<string> {
    this.token ??= (await this.data<{ token: string }>(TRANSFER_PATHS.token)).token;
    return this.token;
  }

  /** Send a blob whole (the farm skips storing one it has) and name it in the output storage. */
  async upload(buf: Buffer, path: string): Promise<void> {
    const k = keyOf(buf);
    const res = await fetch(`${this.farm.url}/api/openfarm/transfer/blobs/${k.sha256}/${k.size}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await this.bearer()}`, 'content-type': 'application/octet-stream' },
      body: buf,
    });
    const env = (await res.json()) as { code: number };
    assert.equal(env.code, 200, JSON.stringify(env));
    await this.data(TRANSFER_PATHS.manifest, {
      storage: 'output',
      entries: [{ path, ...k, mtime: 1_700_000_000_000 }],
    });
  }
}

let dir: string;
let blobs: LocalBlobStore;
let farm: TestFarm;
let alice: Uploader;
let aliceId: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-gc-'));
  blobs = await LocalBlobStore.open(dir, { durable: false });
  farm = await startTestFarm({ plugins: [transferPlugin({ blobs })] });
  const a = await farm.addUser('alice');
  aliceId = a.userId;
  alice = new Uploader(farm, a);
});

after(async () => {
  await farm?.close();
  await blobs?.close();
  await rm(dir, { recursive: true, force: true });
});

async function bytesOf(key: BlobKey): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of await blobs.get(key)) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

test('the garbage collector removes only unreferenced blobs while uploads run', async () => {
  const db = farm.server.farm.store.db;
  // Referenced before the collector starts.
  const kept = Array.from({ length: 6 }, () => randomBytes(2000));
  for (const [i, b] of kept.entries()) await alice.upload(b, `/kept/${i}.bin`);
  // Orphans: stored, referenced by nothing (a crashed upload's blobs). Small ones in memory go to
  // packs, streamed ones are files.
  const orphans = Array.from({ length: 12 }, (_, i) => randomBytes(i % 2 === 0 ? 3000 : 70_000));
  for (const [i, b] of orphans.entries()) {
    await blobs.put(keyOf(b), i % 2 === 0 ? new Uint8Array(b) : Readable.from([b]));
  }
  // Half the orphans are sent again during the run: the farm has them, so the upload only
  // references them; the collector may be hiding them at that very moment.
  const reused = orphans.slice(0, 6);
  const dropped = orphans.slice(6);
  await sleep(GRACE_MS + 200);

  const fresh: Buffer[] = [];
  const uploads = (async () => {
    for (let i = 0; i < 30; i++) {
      const b = randomBytes(i % 3 === 0 ? 90_000 : 1500);
      fresh.push(b);
      await alice.upload(b, `/fresh/${i}.bin`);
      const again = reused[i % reused.length] as Buffer;
      await alice.upload(again, `/reused/${i % reused.length}.bin`);
    }
  })();
  const reports: GarbageReport[] = [];
  let done = false;
  uploads.finally(() => {
    done = true;
  });
  while (!done) {
    reports.push(await collectGarbage({ db, blobs, graceMs: GRACE_MS }));
    await sleep(20);
  }
  await uploads;
  // Purged only once hidden for the grace: two more runs after it.
  await sleep(GRACE_MS + 200);
  reports.push(await collectGarbage({ db, blobs, graceMs: GRACE_MS }));
  await sleep(GRACE_MS + 200);
  const last = await collectGarbage({ db, blobs, graceMs: GRACE_MS });
  reports.push(last);

  for (const b of [...kept, ...fresh, ...reused]) {
    const k = keyOf(b);
    assert.ok(await blobs.has(k), `referenced blob ${k.sha256}/${k.size} is kept`);
    assert.ok((await bytesOf(k)).equals(b), 'and reads back whole');
  }
  for (const b of dropped) assert.equal(await blobs.has(keyOf(b)), false, 'an unreferenced old blob is gone');
  const hidden: BlobKey[] = [];
  for await (const q of blobs.listQuarantined()) hidden.push(q);
  assert.deepEqual(hidden, [], 'nothing left in quarantine');
  const purged = reports.reduce((n, r) => n + r.purged, 0);
  assert.equal(purged, dropped.length, JSON.stringify(reports));
  assert.equal(
    reports.reduce((n, r) => n + r.purgedBytes, 0),
    dropped.reduce((n, b) => n + b.length, 0),
  );
  assert.equal(last.quarantined, 0);
});

test('a blob found stored just before it was hidden is given back once its reference is written', async () => {
  const db = farm.server.farm.store.db;
  const b = randomBytes(5000);
  const k = keyOf(b);
  await blobs.put(k, new Uint8Array(b));
  await sleep(GRACE_MS + 200);
  // The collector hides it, as if between an upload's `has` and its insert.
  assert.equal(await blobs.quarantine(k, Date.now() - GRACE_MS), true);
  assert.equal(await blobs.has(k), false);
  await db
    .insertInto('transfer_user_blobs')
    .values({ user_id: aliceId, sha256: k.sha256, size: k.size, created_at: Date.now() })
    .execute();
  const r = await collectGarbage({ db, blobs, graceMs: GRACE_MS });
  assert.equal(r.restored, 1);
  assert.ok((await bytesOf(k)).equals(b));
});
