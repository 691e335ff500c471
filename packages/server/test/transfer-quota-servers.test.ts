/**
 * A quota holds across servers: two UploadSessions on one database stand for
 * two servers, and uploads in flight on both at once cannot together go over
 * the quota (each server used to see only its own requests in flight).
 * Runs on SQLite, and on PostgreSQL in the runner's PostgreSQL pass.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { LocalBlobStore } from '../src/blob/index.js';
import { recordHeldBlob } from '../src/transfer/held-blobs.js';
import { QuotaBudget, setTransferQuota, usedTransferBytes } from '../src/transfer/quota.js';
import { UploadSessions } from '../src/transfer/upload-sessions.js';
import { startTestFarm, type TestFarm } from './support/farm.js';

let farm: TestFarm;
let blobs: LocalBlobStore;
let servers: UploadSessions[];

before(async () => {
  farm = await startTestFarm();
  blobs = await LocalBlobStore.open(join(farm.dataDir, 'shared-blobs'));
  servers = await Promise.all(
    ['one', 'two'].map((name) =>
      UploadSessions.open({
        db: farm.server.farm.store.db,
        blobs,
        stagingDir: join(farm.dataDir, `staging-${name}`),
        staging: 'database',
      }),
    ),
  );
});
after(async () => {
  await blobs.close();
  await farm.close();
});

const keyOf = (b: Buffer) => ({ sha256: createHash('sha256').update(b).digest('hex'), size: b.length });

test('two servers storing at once cannot together exceed a quota', async () => {
  const user = await farm.addUser('twice');
  const db = farm.server.farm.store.db;
  await setTransferQuota(db, user.userId, 100_000);
  // Both bodies are held back until both requests have reserved (or been refused).
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const arrived: Array<() => void> = [];
  const bothAsked = new Promise<void>((resolve) => {
    let n = 0;
    for (let i = 0; i < 2; i++)
      arrived.push(() => {
        if (++n === 2) resolve();
      });
  });
  const send = (i: number, data: Buffer) =>
    (async function* (): AsyncGenerator<Buffer> {
      arrived[i]!();
      await released;
      yield data;
    })();
  const blobsSent = [randomBytes(60_000), randomBytes(60_000)];
  const results = blobsSent.map((data, i) =>
    servers[i]!.putWhole(user.userId, keyOf(data), send(i, data)).then(
      () => 'stored',
      (e: unknown) => (e instanceof ApiError ? e.code : String(e)),
    ),
  );
  // A refused request never reads its body: wait for one body to be asked for, then a moment.
  await Promise.race([bothAsked, new Promise((r) => setTimeout(r, 2000))]);
  release();
  const outcome = (await Promise.all(results)).sort();
  assert.deepEqual(outcome, [7003, 'stored'].sort(), JSON.stringify(outcome));
  assert.equal(await usedTransferBytes(db, user.userId), 60_000);
});

test('a resumable upload begun on one server counts on the other', async () => {
  const user = await farm.addUser('begun');
  const db = farm.server.farm.store.db;
  await setTransferQuota(db, user.userId, 100_000);
  await servers[0]!.begin(user.userId, keyOf(randomBytes(70_000)));
  await assert.rejects(
    servers[1]!.begin(user.userId, keyOf(randomBytes(40_000))),
    (e: unknown) => e instanceof ApiError && e.code === 7003,
  );
  // Nothing is left reserved by the refused or the finished requests.
  const holds = await db
    .selectFrom('transfer_quota_holds')
    .selectAll()
    .where('user_id', '=', user.userId)
    .execute();
  assert.deepEqual(holds, []);
});

test('the usage never misses a blob between its record and the end of its hold', async () => {
  // A request records its blob, then drops its hold: every read of the usage meanwhile must
  // count the blob once at least. Three separate sums (each its own snapshot on PostgreSQL)
  // could read the blobs before the record and the holds after the drop, and count nothing:
  // another server then fitted a blob into bytes that were not free.
  const user = await farm.addUser('snapshot');
  const db = farm.server.farm.store.db;
  await setTransferQuota(db, user.userId, 1_000_000_000);
  let low = 0;
  for (let i = 0; i < 150; i++) {
    const key = keyOf(randomBytes(16));
    const budget = await QuotaBudget.of(db, user.userId, undefined);
    await budget.reserve(key.size);
    const floor = (i + 1) * key.size;
    let done = false;
    const write = (async () => {
      await recordHeldBlob(db, user.userId, key);
      await budget.settle();
      done = true;
    })();
    const reads = (async () => {
      while (!done) if ((await usedTransferBytes(db, user.userId)) < floor) low++;
    })();
    await Promise.all([write, reads]);
  }
  assert.equal(low, 0, `${low} reads of the usage missed a blob being recorded`);
});
