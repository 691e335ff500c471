/**
 * Resumable uploads staged in the bucket as S3 parts (upload-staging-parts.ts),
 * on a real Ceph RGW and the farm's database (SQLite, and PostgreSQL in its
 * pass): an upload begun through one server is continued and completed through
 * another, completing sends at most one part (no copy of the blob inside the
 * request), wrong bytes never become visible, and a server killed with SIGKILL
 * at each step of a completion loses nothing: another server completes it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, test } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { S3BlobStore, type S3BlobStoreOptions } from '@openfarm/blob-s3';
import type { BlobKey, BlobStore } from '@openfarm/protocol';
import { createUser, openPostgresStore, openSqliteStore, type Store } from '@openfarm/server';
import pg from 'pg';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { UploadSessions } from '../src/transfer/upload-sessions.js';

const CHILD = fileURLToPath(new URL('./transfer-s3-staging-child.ts', import.meta.url));
const MiB = 1024 * 1024;
/** S3's smallest part, so a blob of a few MiB already takes several. */
const PART = 5 * MiB;

const rgw = await rgwForTestFile();

function keyOf(buf: Buffer): BlobKey {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

/** A fresh database: SQLite in a temp folder, or one on the PostgreSQL pass's server. */
async function freshStore(dir: string): Promise<{ store: Store; where: string; drop(): Promise<void> }> {
  const url = process.env.OPENFARM_TEST_POSTGRES_URL;
  if (url === undefined || url === '') {
    const where = join(dir, 'farm.db');
    const store = openSqliteStore(where);
    await store.migrate();
    return { store, where, drop: () => store.close() };
  }
  const name = `openfarm_s3stage_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const store = openPostgresStore(target.toString(), 4);
  await store.migrate();
  return {
    store,
    where: target.toString(),
    async drop() {
      await store.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** What a store was asked to send, to tell what a completion cost. */
function counting(store: S3BlobStore): {
  sentParts: number;
  sentPartBytes: number;
  putBytes: number;
  reset(): void;
} {
  const seen = {
    sentParts: 0,
    sentPartBytes: 0,
    putBytes: 0,
    reset() {
      seen.sentParts = 0;
      seen.sentPartBytes = 0;
      seen.putBytes = 0;
    },
  };
  const part = store.putStagedPart.bind(store);
  store.putStagedPart = (key, handle, n, bytes) => {
    seen.sentParts++;
    seen.sentPartBytes += bytes.length;
    return part(key, handle, n, bytes);
  };
  for (const name of ['put', 'putFile'] as const) {
    const original = store[name].bind(store) as BlobStore['put'];
    (store as unknown as Record<string, unknown>)[name] = (key: BlobKey, source: never, ...rest: never[]) => {
      seen.putBytes += key.size;
      return (original as (...a: unknown[]) => Promise<void>)(key, source, ...rest);
    };
  }
  return seen;
}

if (rgw.endpoint === undefined) {
  test('resumable uploads staged as S3 parts on Ceph RGW', { skip: rgw.skip }, () => {});
} else {
  after(() => rgw.stop());
  describe('resumable uploads staged as S3 parts on Ceph RGW', () => {
    const bucket = `of-${randomUUID().slice(0, 8)}`;
    const s3: S3BlobStoreOptions = {
      bucket,
      prefix: 'farm',
      endpoint: rgw.endpoint,
      region: rgw.region,
      forcePathStyle: true,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
      partBytes: PART,
    };
    let work: string;
    let db: Awaited<ReturnType<typeof freshStore>>;
    /** Two servers: each its own S3 client and upload sessions, on one database and one bucket. */
    let storeA: S3BlobStore;
    let storeB: S3BlobStore;
    let serverA: UploadSessions;
    let serverB: UploadSessions;
    let userId: number;

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'openfarm-s3-staging-'));
      db = await freshStore(work);
      storeA = await S3BlobStore.open(s3);
      storeB = await S3BlobStore.open(s3);
      serverA = await UploadSessions.open({ db: db.store.db, blobs: storeA, stagingDir: join(work, 'a') });
      serverB = await UploadSessions.open({ db: db.store.db, blobs: storeB, stagingDir: join(work, 'b') });
      userId = (await createUser(db.store.db, 'mira')).userId;
    });
    after(async () => {
      await storeA?.close();
      await storeB?.close();
      await db?.drop();
      await rm(work, { recursive: true, force: true });
    });

    async function openUploads(): Promise<number> {
      const page = await storeA.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return page.Uploads?.length ?? 0;
    }

    async function stagedRows(): Promise<{ rows: number; rowBytes: number; parts: number }> {
      const rows = await db.store.db.selectFrom('transfer_upload_parts').select('length').execute();
      const parts = await db.store.db.selectFrom('transfer_upload_staged_parts').select('length').execute();
      return {
        rows: rows.length,
        rowBytes: rows.reduce((n, r) => n + Number(r.length), 0),
        parts: parts.length,
      };
    }

    /** Send `data` from `from` in chunks of the given sizes, alternating servers as listed. */
    async function send(
      id: string,
      data: Buffer,
      from: number,
      chunks: readonly [UploadSessions, number][],
    ): Promise<number> {
      let at = from;
      for (const [server, bytes] of chunks) {
        const end = Math.min(data.length, at + bytes);
        at = await server.write(userId, id, at, Readable.from([data.subarray(at, end)]));
        assert.equal(at, end);
      }
      return at;
    }

    it('an upload begun through one server is continued and completed through another, completing sends one part', async () => {
      const data = randomBytes(3 * PART + 3 * MiB + 12_345);
      const key = keyOf(data);
      const begun = await serverA.begin(userId, key);
      assert.equal(begun.offset, 0);
      const id = begun.uploadId as string;
      // Chunks of sizes that do not fall on parts: the rest of each waits as rows.
      let at = await send(id, data, 0, [
        [serverA, 3 * MiB],
        [serverA, 4 * MiB + 1],
      ]);
      // Another server picks it up where the database says it is.
      assert.equal((await serverB.begin(userId, key)).offset, at);
      at = await send(id, data, at, [
        [serverB, 2 * MiB + 77],
        [serverA, 5 * MiB],
        [serverB, data.length],
      ]);
      assert.equal(at, data.length);
      const staged = await stagedRows();
      assert.equal(staged.parts, 3, 'every full part is in the bucket already');
      assert.ok(staged.rowBytes < PART, `${staged.rowBytes} bytes wait as rows`);
      assert.equal(await storeA.has(key), false, 'not visible before it is completed');

      const costB = counting(storeB);
      assert.deepEqual(await serverB.complete(userId, id), key);
      // The completion sent the last part (less than one part of bytes) and nothing else.
      assert.equal(costB.putBytes, 0, 'no copy of the blob inside the completing request');
      assert.equal(costB.sentParts, 1);
      assert.ok(costB.sentPartBytes < PART, `completion sent ${costB.sentPartBytes} bytes`);
      assert.ok((await readAll(await storeA.get(key))).equals(data));
      assert.deepEqual(await stagedRows(), { rows: 0, rowBytes: 0, parts: 0 });
      assert.equal(await openUploads(), 0);
      // A retried completion (its answer lost) is answered again, by either server.
      assert.deepEqual(await serverA.complete(userId, id), key);
    });

    it('a blob smaller than a part is stored from its rows; one of whole parts needs no last part', async () => {
      for (const size of [PART - 1000, 2 * PART]) {
        const data = randomBytes(size);
        const key = keyOf(data);
        const id = (await serverA.begin(userId, key)).uploadId as string;
        await send(id, data, 0, [
          [serverA, 3 * MiB],
          [serverB, data.length],
        ]);
        assert.deepEqual(await serverB.complete(userId, id), key);
        assert.ok((await readAll(await storeB.get(key))).equals(data));
      }
      assert.deepEqual(await stagedRows(), { rows: 0, rowBytes: 0, parts: 0 });
      assert.equal(await openUploads(), 0);
    });

    it('bytes that do not match the key never become visible, and their parts are dropped', async () => {
      const data = randomBytes(2 * PART + 5000);
      const key = keyOf(data);
      const wrong = Buffer.from(data);
      wrong[PART + 10] = (wrong[PART + 10] as number) ^ 1;
      const id = (await serverA.begin(userId, key)).uploadId as string;
      await send(id, wrong, 0, [[serverA, wrong.length]]);
      await assert.rejects(serverB.complete(userId, id), (e: Error & { code?: number }) => {
        assert.match(e.message + JSON.stringify(e), /HASH_MISMATCH|does not match/i);
        return true;
      });
      assert.equal(await storeA.has(key), false);
      assert.deepEqual(await stagedRows(), { rows: 0, rowBytes: 0, parts: 0 });
      assert.equal(await openUploads(), 0);
    });

    it('two servers writing the same offset at once: one stands, the other is told, the upload completes', async () => {
      const data = randomBytes(2 * PART + 4321);
      const key = keyOf(data);
      const id = (await serverA.begin(userId, key)).uploadId as string;
      const first = data.subarray(0, PART + 100);
      const results = await Promise.allSettled([
        serverA.write(userId, id, 0, Readable.from([first])),
        serverB.write(userId, id, 0, Readable.from([first])),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results));
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(
        String(refused.reason?.message ?? refused.reason),
        /being written by another request|Conflict|state/i,
      );
      const at = (await serverB.begin(userId, key)).offset;
      assert.equal(at, first.length);
      await send(id, data, at, [[serverB, data.length]]);
      assert.deepEqual(await serverA.complete(userId, id), key);
      assert.ok((await readAll(await storeA.get(key))).equals(data));
      assert.deepEqual(await stagedRows(), { rows: 0, rowBytes: 0, parts: 0 });
    });

    it('staging the bucket lost (swept, or restored from a backup) ends the upload with "start again", nothing visible', async () => {
      for (const when of ['write', 'complete'] as const) {
        // Completing: less than a part is left to send, so only the completion meets the loss.
        const data = randomBytes(when === 'write' ? 2 * PART + 1000 : PART + 110);
        const key = keyOf(data);
        const id = (await serverA.begin(userId, key)).uploadId as string;
        await send(id, data, 0, [[serverA, PART + 10]]);
        const staged = await db.store.db
          .selectFrom('transfer_upload_staged')
          .select('handle')
          .where('upload_id', '=', id)
          .executeTakeFirstOrThrow();
        await storeA.abortStaged(key, staged.handle);
        const next =
          when === 'write'
            ? serverB.write(userId, id, PART + 10, Readable.from([data.subarray(PART + 10)]))
            : send(id, data, PART + 10, [[serverB, data.length]]).then(() => serverB.complete(userId, id));
        await assert.rejects(next, (e: Error & { code?: number }) => {
          assert.equal(e.code, 404, `${when}: ${e.message}`);
          assert.match(JSON.stringify(e) + e.message, /start it again/);
          return true;
        });
        assert.equal(await storeA.has(key), false);
        // The session is gone: a new begin starts from 0.
        assert.equal((await serverA.begin(userId, key)).offset, 0);
      }
    });

    for (const step of ['tail-part', 'complete', 'completed'] as const) {
      it(`a server killed with SIGKILL mid-completion (${step}) loses nothing: another completes it`, async () => {
        const data = randomBytes(2 * PART + 2 * MiB + 99);
        const key = keyOf(data);
        const id = (await serverA.begin(userId, key)).uploadId as string;
        await send(id, data, 0, [[serverA, data.length]]);
        const child = spawn(
          process.execPath,
          [
            '--conditions=source',
            '--import',
            'tsx',
            CHILD,
            db.where,
            JSON.stringify(s3),
            String(userId),
            id,
            step,
            join(work, `child-${step}`),
          ],
          { stdio: ['ignore', 'ignore', 'inherit'] },
        );
        const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
          child.once('exit', (c, s) => r([c, s])),
        );
        assert.equal(signal, 'SIGKILL', `the child ended with ${code}`);
        assert.equal(await storeA.has(key), step === 'completed', 'visible only once S3 completed it');
        assert.deepEqual(await serverB.complete(userId, id), key);
        assert.ok((await readAll(await storeB.get(key))).equals(data));
        assert.deepEqual(await stagedRows(), { rows: 0, rowBytes: 0, parts: 0 });
        assert.equal(await openUploads(), 0);
      });
    }
  });
}
