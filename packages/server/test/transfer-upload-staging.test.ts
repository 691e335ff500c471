/**
 * Resumable uploads staged in the database: two UploadSessions on one
 * database stand for two servers behind a load balancer. An upload begun on
 * one continues and completes on the other; a completion repeated after its
 * answer was lost, or arriving while the first still runs, gets the blob.
 * Runs on SQLite, and on PostgreSQL in the runner's PostgreSQL pass.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { LocalBlobStore } from '../src/blob/index.js';
import { usedTransferBytes } from '../src/transfer/quota.js';
import { UploadSessions } from '../src/transfer/upload-sessions.js';
import { PART_BYTES } from '../src/transfer/upload-staging.js';
import { startTestFarm, type TestFarm } from './support/farm.js';

let farm: TestFarm;
let blobs: LocalBlobStore;
let one: UploadSessions;
let two: UploadSessions;

before(async () => {
  farm = await startTestFarm();
  blobs = await LocalBlobStore.open(join(farm.dataDir, 'shared-blobs'));
  const open = (name: string) =>
    UploadSessions.open({
      db: farm.server.farm.store.db,
      blobs,
      // Each "server" has a staging folder of its own: with database staging it must stay unused.
      stagingDir: join(farm.dataDir, `staging-${name}`),
      staging: 'database',
    });
  one = await open('one');
  two = await open('two');
});
after(async () => {
  await blobs.close();
  await farm.close();
});

const keyOf = (b: Buffer) => ({ sha256: createHash('sha256').update(b).digest('hex'), size: b.length });

test('an upload begun through one server is continued and completed through another', async () => {
  const user = await farm.addUser('roamer');
  // More than one part row, and a chunk boundary inside a row.
  const data = randomBytes(PART_BYTES + 1_500_000);
  const key = keyOf(data);
  const begun = await one.begin(user.userId, key);
  assert.equal(begun.offset, 0);
  const first = 3_000_000;
  assert.equal(
    await one.write(user.userId, begun.uploadId!, 0, Readable.from([data.subarray(0, first)])),
    first,
  );

  const resumed = await two.begin(user.userId, key);
  assert.deepEqual(resumed, { uploadId: begun.uploadId, offset: first, complete: false });
  // A writer that did not read the committed offset is refused, as on one server.
  await assert.rejects(
    two.write(user.userId, begun.uploadId!, 0, Readable.from([data.subarray(0, 10)])),
    (e: unknown) => e instanceof ApiError && e.code === 600,
  );
  assert.equal(
    await two.write(user.userId, begun.uploadId!, first, Readable.from([data.subarray(first)])),
    data.length,
  );
  // Completed through a server that saw only part of the bytes: it hashes the staged rows.
  assert.deepEqual(await two.complete(user.userId, begun.uploadId!), key);
  assert.equal(await blobs.has(key), true);
  const stored = Buffer.concat(await (await blobs.get(key)).toArray());
  assert.ok(stored.equals(data));
  // The staged rows are gone once the blob is published.
  const rows = await farm.server.farm.store.db
    .selectFrom('transfer_upload_parts')
    .select('offset')
    .where('upload_id', '=', begun.uploadId!)
    .execute();
  assert.deepEqual(rows, []);
});

test('a completion repeated after its answer was lost gets the same answer, on either server', async () => {
  const user = await farm.addUser('retrier');
  const data = randomBytes(200_000);
  const key = keyOf(data);
  const { uploadId } = await one.begin(user.userId, key);
  await one.write(user.userId, uploadId!, 0, Readable.from([data]));
  // Two completions at once (a client's retry while the first copies): both answer with the blob.
  const both = await Promise.all([
    one.complete(user.userId, uploadId!),
    one.complete(user.userId, uploadId!),
  ]);
  assert.deepEqual(both, [key, key]);
  // And once more later, through the other server.
  assert.deepEqual(await two.complete(user.userId, uploadId!), key);
  // The completed session is counted once in the quota (as the held blob), not also as pending.
  assert.equal(await usedTransferBytes(farm.server.farm.store.db, user.userId), data.length);
  // Another user cannot use the id.
  const other = await farm.addUser('other');
  await assert.rejects(
    two.complete(other.userId, uploadId!),
    (e: unknown) => e instanceof ApiError && e.code === 404,
  );
  // Nor can the session take bytes any more.
  await assert.rejects(
    one.write(user.userId, uploadId!, data.length, Readable.from([Buffer.alloc(1)])),
    (e: unknown) => e instanceof ApiError && e.code === 404,
  );
});

test('wrong bytes staged in the database are refused and the session ends', async () => {
  const user = await farm.addUser('liar');
  const data = randomBytes(100_000);
  const key = keyOf(data);
  const { uploadId } = await one.begin(user.userId, key);
  const wrong = Buffer.from(data);
  wrong[50_000] ^= 1;
  await one.write(user.userId, uploadId!, 0, Readable.from([wrong]));
  await assert.rejects(
    two.complete(user.userId, uploadId!),
    (e: unknown) => e instanceof ApiError && e.code === 7005,
  );
  assert.equal(await blobs.has(key), false);
});
