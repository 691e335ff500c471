/**
 * The garbage collector's done-when scenario, for any store (local here, RGW in the
 * CLI's tests): a farm takes uploads — new blobs, and blobs the farm already has,
 * which the upload only references — while the collector runs again and again;
 * afterwards every referenced blob reads back whole and the old unreferenced ones
 * are gone, quarantine included.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobCollection, BlobKey, BlobStore } from '@openfarm/protocol';
import { collectGarbage, type GarbageReport, TRANSFER_PATHS, transferPlugin } from '@openfarm/server';
import { Client, startTestFarm } from './farm.js';

export function keyOf(buf: Buffer): BlobKey {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

export async function bytesOf(blobs: BlobStore, key: BlobKey): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of await blobs.get(key)) parts.push(Buffer.from(p as Uint8Array));
  return Buffer.concat(parts);
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

/** Run the scenario on a farm whose blobs are `blobs`; `graceMs` long next to one small upload's request. */
export async function gcWhileUploading(blobs: BlobStore & BlobCollection, graceMs: number): Promise<void> {
  const farm = await startTestFarm({ plugins: [transferPlugin({ blobs })] });
  try {
    const db = farm.server.farm.store.db;
    const alice = new Uploader(farm, await farm.addUser('alice'));
    // Referenced before the collector starts.
    const kept = Array.from({ length: 6 }, () => randomBytes(2000));
    for (const [i, b] of kept.entries()) await alice.upload(b, `/kept/${i}.bin`);
    // Orphans: stored, referenced by nothing (a crashed upload's blobs). Small ones handed over in
    // memory go to packs on the local store, streamed ones are files.
    const orphans = Array.from({ length: 12 }, (_, i) => randomBytes(i % 2 === 0 ? 3000 : 70_000));
    for (const [i, b] of orphans.entries()) {
      await blobs.put(keyOf(b), i % 2 === 0 ? new Uint8Array(b) : Readable.from([b]));
    }
    // Half the orphans are sent again during the run: the farm has them, so the upload only
    // references them; the collector may be hiding them at that very moment.
    const reused = orphans.slice(0, 6);
    const dropped = orphans.slice(6);
    await sleep(graceMs + 200);

    const fresh: Buffer[] = [];
    let done = false;
    const uploads = (async () => {
      try {
        for (let i = 0; i < 30; i++) {
          const b = randomBytes(i % 3 === 0 ? 90_000 : 1500);
          fresh.push(b);
          await alice.upload(b, `/fresh/${i}.bin`);
          await alice.upload(reused[i % reused.length] as Buffer, `/reused/${i % reused.length}.bin`);
        }
      } finally {
        done = true;
      }
    })();
    const reports: GarbageReport[] = [];
    while (!done) {
      reports.push(await collectGarbage({ db, blobs, graceMs }));
      await sleep(20);
    }
    await uploads;
    // Purged only once hidden for the grace: two more runs after it.
    await sleep(graceMs + 200);
    reports.push(await collectGarbage({ db, blobs, graceMs }));
    await sleep(graceMs + 200);
    const last = await collectGarbage({ db, blobs, graceMs });
    reports.push(last);

    for (const b of [...kept, ...fresh, ...reused]) {
      const k = keyOf(b);
      assert.ok(await blobs.has(k), `referenced blob ${k.sha256}/${k.size} is kept`);
      assert.ok((await bytesOf(blobs, k)).equals(b), 'and reads back whole');
    }
    for (const b of dropped)
      assert.equal(await blobs.has(keyOf(b)), false, 'an unreferenced old blob is gone');
    const hidden: BlobKey[] = [];
    for await (const q of blobs.listQuarantined()) hidden.push(q);
    assert.deepEqual(hidden, [], 'nothing left in quarantine');
    assert.equal(
      reports.reduce((n, r) => n + r.purged, 0),
      dropped.length,
      JSON.stringify(reports),
    );
    assert.equal(
      reports.reduce((n, r) => n + r.purgedBytes, 0),
      dropped.reduce((n, b) => n + b.length, 0),
    );
    assert.equal(last.quarantined, 0);
  } finally {
    await farm.close();
  }
}
