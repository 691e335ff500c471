/** The transfer endpoints over real HTTP: blobs, resumable uploads, manifests, listing, download, refusals. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { LocalBlobStore } from '../src/blob/index.js';
import { BatchReader } from '../src/transfer/blob-batch.js';
import {
  listStorageDir,
  setTransferQuota,
  TRANSFER_PATHS,
  transferPlugin,
  usedTransferBytes,
} from '../src/transfer/index.js';
import { UploadSessions } from '../src/transfer/upload-sessions.js';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';

function keyOf(buf: Buffer) {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

/** A blob batch body (see blob-batch.ts) of `count` random blobs of `size` bytes. */
function batchBody(count: number, size: number): Buffer {
  return Buffer.concat(
    Array.from({ length: count }, () => randomBytes(size)).flatMap((b) => {
      const k = keyOf(b);
      return [Buffer.from(k.sha256 + String(k.size).padStart(16, '0'), 'latin1'), b];
    }),
  );
}

class TransferTestClient extends Client {
  private token: string | undefined;

  async bearer(): Promise<string> {
    this.token ??= (await this.data<{ token: string }>(TRANSFER_PATHS.token)).token;
    return this.token;
  }

  async put(
    path: string,
    body: Buffer,
  ): Promise<{ status: number; code: number; data: Record<string, unknown> }> {
    const res = await fetch(this.farm.url + path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await this.bearer()}`, 'content-type': 'application/octet-stream' },
      body,
    });
    const env = (await res.json()) as { code: number; data: Record<string, unknown> };
    return { status: res.status, code: env.code, data: env.data };
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.farm.url + path, {
      headers: { authorization: `Bearer ${await this.bearer()}`, ...headers },
    });
  }

  async putBlob(buf: Buffer): Promise<void> {
    const k = keyOf(buf);
    const r = await this.put(`/api/openfarm/transfer/blobs/${k.sha256}/${k.size}`, buf);
    assert.equal(r.code, 200, JSON.stringify(r));
  }
}

describe('transfer endpoints', () => {
  let farm: TestFarm;
  let alice: TransferTestClient;
  let bob: TransferTestClient;
  let aliceId: number;

  /** The farm's log lines (info and up), to check what an operator would see. */
  const logs: Array<{ level: number; msg: string; reqId?: string }> = [];

  before(async () => {
    farm = await startTestFarm({
      plugins: [transferPlugin()],
      logLevel: 'info',
      logStream: { write: (line) => logs.push(JSON.parse(line)) },
    });
    const a = await farm.addUser('alice');
    aliceId = a.userId;
    alice = new TransferTestClient(farm, a);
    bob = new TransferTestClient(farm, await farm.addUser('bob'));
  });
  after(() => farm.close());

  test('missing → put whole blob → no longer missing; a wrong hash is refused', async () => {
    const a = randomBytes(10_000);
    const b = randomBytes(20_000);
    const m1 = await alice.data<{ missing: number[] }>(TRANSFER_PATHS.missing, {
      blobs: [keyOf(a), keyOf(b)],
    });
    assert.deepEqual(m1.missing, [0, 1]);
    await alice.putBlob(a);
    const m2 = await alice.data<{ missing: number[] }>(TRANSFER_PATHS.missing, {
      blobs: [keyOf(a), keyOf(b)],
    });
    assert.deepEqual(m2.missing, [1]);

    const k = keyOf(b);
    const wrong = await alice.put(`/api/openfarm/transfer/blobs/${k.sha256}/${k.size}`, randomBytes(20_000));
    assert.equal(wrong.code, 7005);
    const tooLong = await alice.put(
      `/api/openfarm/transfer/blobs/${k.sha256}/${k.size}`,
      Buffer.concat([b, b]),
    );
    assert.equal(tooLong.code, 600);
    const m3 = await alice.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [k] });
    assert.deepEqual(m3.missing, [0]);
  });

  test('a batch of small blobs in one request, each verified on its own', async () => {
    const frame = (buf: Buffer, claimed = keyOf(buf)) =>
      Buffer.concat([Buffer.from(claimed.sha256 + String(claimed.size).padStart(16, '0'), 'latin1'), buf]);
    const blobs = [randomBytes(10), Buffer.alloc(0), randomBytes(70_000), randomBytes(5)];
    await alice.putBlob(blobs[3] as Buffer);
    const r = await alice.put('/api/openfarm/transfer/blobs', Buffer.concat(blobs.map((b) => frame(b))));
    assert.equal(r.code, 200, JSON.stringify(r));
    assert.equal(r.data.stored, 4);
    const m = await alice.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: blobs.map(keyOf) });
    assert.deepEqual(m.missing, []);

    const good = randomBytes(100);
    const liar = randomBytes(100);
    const bad = await alice.put(
      '/api/openfarm/transfer/blobs',
      Buffer.concat([frame(good), frame(liar, keyOf(randomBytes(100)))]),
    );
    assert.equal(bad.code, 7005);
    const after = await alice.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [keyOf(good)] });
    assert.deepEqual(after.missing, [], 'the verified blob before the bad one is kept');
    const truncated = await alice.put('/api/openfarm/transfer/blobs', frame(good).subarray(0, 120));
    assert.equal(truncated.code, 600);
  });

  test('a batch over the quota: the blobs that fit are kept and held, the rest refused with 7003', async () => {
    const erin = await farm.addUser('erin');
    const e = new TransferTestClient(farm, erin);
    await setTransferQuota(farm.server.farm.store.db, erin.userId, 50_000);
    const blobs = [randomBytes(20_000), randomBytes(20_000), randomBytes(20_000)];
    const body = Buffer.concat(
      blobs.flatMap((b) => {
        const k = keyOf(b);
        return [Buffer.from(k.sha256 + String(k.size).padStart(16, '0'), 'latin1'), b];
      }),
    );
    const r = await e.put('/api/openfarm/transfer/blobs', body);
    assert.equal(r.code, 7003, JSON.stringify(r));
    const m = await e.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: blobs.map(keyOf) });
    assert.equal(m.missing.length, 1, 'two of the three fit the quota and stay held');
  });

  test('a chunk cut off mid-way: the upload resumes from the bytes that arrived and still verifies', async () => {
    const data = randomBytes(2_000_000);
    const key = keyOf(data);
    const s = await alice.data<{ uploadId: string }>(TRANSFER_PATHS.uploads, key);
    const token = await alice.bearer();
    // Declare the whole file, send a part, then cut the connection.
    await new Promise<void>((resolve) => {
      const req = request(`${farm.url}/api/openfarm/transfer/uploads/${s.uploadId}/0`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/octet-stream',
          'content-length': String(data.length),
        },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(data.subarray(0, 700_000), () => setTimeout(() => req.destroy(), 200));
    });
    let resumed = { uploadId: '', offset: 0 };
    // The server notices the cut asynchronously; wait until it no longer holds the session busy.
    for (let i = 0; i < 50; i++) {
      resumed = await alice.data<{ uploadId: string; offset: number }>(TRANSFER_PATHS.uploads, key);
      const r = await alice.put(
        `/api/openfarm/transfer/uploads/${s.uploadId}/${resumed.offset}`,
        data.subarray(resumed.offset),
      );
      if (r.code === 200) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(resumed.uploadId, s.uploadId);
    // The bytes that arrived before the cut stay (the kernel had them), so the upload goes on from there.
    assert.ok(resumed.offset > 0 && resumed.offset <= 700_000, `resumed at ${resumed.offset}`);
    assert.deepEqual(await alice.data(TRANSFER_PATHS.uploadComplete, { uploadId: s.uploadId }), key);
    // For the operator the cut is an event, not a server error.
    assert.ok(
      logs.some((l) => l.level === 30 && l.msg.includes('closed the connection before its request was done')),
    );
    assert.deepEqual(
      logs.filter((l) => l.level >= 50).map((l) => l.msg),
      [],
    );
  });

  test('a chunk longer than the blob is refused and writes nothing past its end; the upload still completes', async () => {
    const data = randomBytes(300_000);
    const key = keyOf(data);
    const s = await alice.data<{ uploadId: string }>(TRANSFER_PATHS.uploads, key);
    const tooLong = await alice.put(
      `/api/openfarm/transfer/uploads/${s.uploadId}/0`,
      Buffer.concat([data, randomBytes(70_000)]),
    );
    assert.equal(tooLong.code, 600, JSON.stringify(tooLong));
    const resumed = await alice.data<{ uploadId: string; offset: number }>(TRANSFER_PATHS.uploads, key);
    assert.ok(resumed.offset <= data.length, `the server holds ${resumed.offset} bytes`);
    const rest = await alice.put(
      `/api/openfarm/transfer/uploads/${s.uploadId}/${resumed.offset}`,
      data.subarray(resumed.offset),
    );
    assert.equal(rest.code, 200, JSON.stringify(rest));
    assert.deepEqual(await alice.data(TRANSFER_PATHS.uploadComplete, { uploadId: s.uploadId }), key);
  });

  test('holding is per user: bob must send bytes alice already stored', async () => {
    const a = randomBytes(3_000);
    await alice.putBlob(a);
    const m = await bob.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [keyOf(a)] });
    assert.deepEqual(m.missing, [0]);
    const refused = await bob.call(TRANSFER_PATHS.manifest, {
      storage: 'input',
      entries: [{ path: '/steal.bin', ...keyOf(a), mtime: 0 }],
    });
    assert.equal(refused.envelope.code, 404);
    assert.match(refused.envelope.message, /upload these blobs first/);
  });

  test('resumable upload: offsets, resume, complete verifies, wrong offset refused', async () => {
    const data = randomBytes(300_000);
    const key = keyOf(data);
    const s1 = await alice.data<{ uploadId: string; offset: number; complete: boolean }>(
      TRANSFER_PATHS.uploads,
      key,
    );
    assert.equal(s1.offset, 0);
    assert.equal(s1.complete, false);
    const chunk = (from: number, to: number) =>
      alice.put(`/api/openfarm/transfer/uploads/${s1.uploadId}/${from}`, data.subarray(from, to));
    assert.equal((await chunk(0, 100_000)).data.offset, 100_000);
    // Asking again resumes the same session at the committed offset.
    const s2 = await alice.data<{ uploadId: string; offset: number }>(TRANSFER_PATHS.uploads, key);
    assert.equal(s2.uploadId, s1.uploadId);
    assert.equal(s2.offset, 100_000);
    assert.equal((await chunk(50_000, 150_000)).code, 600);
    const early = await alice.call(TRANSFER_PATHS.uploadComplete, { uploadId: s1.uploadId });
    assert.equal(early.envelope.code, 600);
    assert.match(early.envelope.message, /incomplete: 100000 of 300000/);
    assert.equal((await chunk(100_000, 300_000)).data.offset, 300_000);
    // Not visible before completion.
    assert.deepEqual(
      (await alice.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [key] })).missing,
      [0],
    );
    assert.deepEqual(await alice.data(TRANSFER_PATHS.uploadComplete, { uploadId: s1.uploadId }), key);
    assert.deepEqual(
      (await alice.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [key] })).missing,
      [],
    );
    const again = await alice.data<{ complete: boolean; uploadId?: string }>(TRANSFER_PATHS.uploads, key);
    assert.equal(again.complete, true);
    assert.equal(again.uploadId, undefined);
  });

  test('a resumable upload whose bytes do not match is refused and ends', async () => {
    const data = randomBytes(50_000);
    const key = keyOf(data);
    const s = await alice.data<{ uploadId: string }>(TRANSFER_PATHS.uploads, key);
    await alice.put(`/api/openfarm/transfer/uploads/${s.uploadId}/0`, randomBytes(50_000));
    const r = await alice.call(TRANSFER_PATHS.uploadComplete, { uploadId: s.uploadId });
    assert.equal(r.envelope.code, 7005);
    const fresh = await alice.data<{ uploadId: string; offset: number }>(TRANSFER_PATHS.uploads, key);
    assert.notEqual(fresh.uploadId, s.uploadId);
    assert.equal(fresh.offset, 0);
  });

  test('manifest, listing, download with Range, ETag and If-Range', async () => {
    const big = randomBytes(100_000);
    const small = Buffer.from('hello frame');
    await alice.putBlob(big);
    await alice.putBlob(small);
    const written = await alice.data<{ written: number }>(TRANSFER_PATHS.manifest, {
      storage: 'output',
      entries: [
        { path: '/10001_shot/beauty/f0001.exr', ...keyOf(big), mtime: 1_700_000_000_000 },
        { path: '/10001_shot/beauty/f0002.exr', ...keyOf(big), mtime: 1_700_000_000_000 },
        { path: '/10001_shot/log.txt', ...keyOf(small), mtime: 1_700_000_001_000 },
        { path: '/10002_other/x.png', ...keyOf(small), mtime: 1 },
      ],
    });
    assert.equal(written.written, 4);
    const page = await alice.data<{ entries: Array<{ path: string }>; next: string | null }>(
      TRANSFER_PATHS.list,
      {
        storage: 'output',
        prefix: '/10001_shot',
        limit: 2,
      },
    );
    assert.deepEqual(
      page.entries.map((e) => e.path),
      ['/10001_shot/beauty/f0001.exr', '/10001_shot/beauty/f0002.exr'],
    );
    const page2 = await alice.data<{ entries: Array<{ path: string }>; next: string | null }>(
      TRANSFER_PATHS.list,
      {
        storage: 'output',
        prefix: '/10001_shot',
        after: page.next,
      },
    );
    assert.deepEqual(
      page2.entries.map((e) => e.path),
      ['/10001_shot/log.txt'],
    );
    assert.equal(page2.next, null);
    // Other users see nothing of it.
    const bobs = await bob.data<{ entries: unknown[] }>(TRANSFER_PATHS.list, {
      storage: 'output',
      prefix: '/',
    });
    assert.equal(bobs.entries.length, 0);

    const url = '/api/openfarm/transfer/files/output/10001_shot/beauty/f0001.exr';
    const full = await alice.get(url);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('etag'), `"${keyOf(big).sha256}"`);
    assert.deepEqual(Buffer.from(await full.arrayBuffer()), big);
    const part = await alice.get(url, { range: 'bytes=1000-' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-99999/100000`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), big.subarray(1000));
    const changed = await alice.get(url, { range: 'bytes=1000-', 'if-range': '"0000"' });
    assert.equal(changed.status, 200);
    await changed.arrayBuffer();
    const same = await alice.get(url, { 'if-none-match': `"${keyOf(big).sha256}"` });
    assert.equal(same.status, 304);
    const beyond = await alice.get(url, { range: 'bytes=100000-' });
    assert.equal(beyond.status, 416);
    const absent = await alice.get('/api/openfarm/transfer/files/output/10001_shot/nope.exr');
    assert.equal(absent.status, 404);
    await absent.arrayBuffer();
    const bobGet = await bob.get(url);
    assert.equal(bobGet.status, 404);
    await bobGet.arrayBuffer();

    const dir = await listStorageDir(farm.server.farm.store.db, aliceId, 'output', '10001_shot');
    assert.deepEqual(
      dir.map((d) => [d.fileName, d.directory, d.fileSize, d.filePath]),
      [
        ['beauty', true, 200_000, '10001_shot/beauty'],
        ['log.txt', false, small.length, '10001_shot/log.txt'],
      ],
    );
    const root = await listStorageDir(farm.server.farm.store.db, aliceId, 'output', '/');
    assert.deepEqual(
      root.map((d) => d.fileName),
      ['10001_shot', '10002_other'],
    );
  });

  test('manifest writes replace entries, keep the last of a path named twice, and span many statements', async () => {
    const a = randomBytes(50);
    const b = randomBytes(60);
    await alice.putBlob(a);
    await alice.putBlob(b);
    const write = (entries: Array<{ path: string; sha256: string; size: number; mtime: number }>) =>
      alice.data<{ written: number }>(TRANSFER_PATHS.manifest, { storage: 'input', entries });
    const list = async (prefix: string) => {
      const entries: Array<{ path: string; sha256: string; size: number; mtime: number }> = [];
      let after: string | undefined;
      for (;;) {
        const page = await alice.data<{ entries: typeof entries; next: string | null }>(TRANSFER_PATHS.list, {
          storage: 'input',
          prefix,
          ...(after !== undefined ? { after } : {}),
        });
        entries.push(...page.entries);
        if (page.next === null) return entries;
        after = page.next;
      }
    };
    // 250 entries: more than one statement's worth; then all of them replaced by a second write.
    const many = Array.from({ length: 250 }, (_, i) => ({
      path: `/many/f${String(i).padStart(3, '0')}.tx`,
      ...keyOf(a),
      mtime: i,
    }));
    assert.equal((await write(many)).written, 250);
    await write(many.map((e) => ({ ...e, ...keyOf(b), mtime: e.mtime + 1000 })));
    const listed = await list('/many');
    assert.equal(listed.length, 250);
    assert.ok(listed.every((e, i) => e.sha256 === keyOf(b).sha256 && e.size === 60 && e.mtime === i + 1000));
    // The same path twice in one write: the last entry wins, as if they were written one after the other.
    await write([
      { path: '/dup/x.tx', ...keyOf(a), mtime: 1 },
      { path: '/dup/y.tx', ...keyOf(a), mtime: 2 },
      { path: '/dup/x.tx', ...keyOf(b), mtime: 3 },
    ]);
    const dup = await list('/dup');
    assert.deepEqual(
      dup.map((e) => [e.path, e.size, e.mtime]),
      [
        ['/dup/x.tx', 60, 3],
        ['/dup/y.tx', 50, 2],
      ],
    );
  });

  test("a main account reads its sub-accounts' output storage; nobody else does", async () => {
    const main = await farm.addUser('studio');
    const sub = await farm.addUser('junior', { subOf: main.userId });
    const mainC = new TransferTestClient(farm, main);
    const subC = new TransferTestClient(farm, sub);
    const frame = Buffer.from('sub frame');
    await subC.putBlob(frame);
    await subC.data(TRANSFER_PATHS.manifest, {
      storage: 'output',
      entries: [{ path: '/30001_sub/f.exr', ...keyOf(frame), mtime: 0 }],
    });
    const listed = await mainC.data<{ entries: Array<{ path: string }> }>(TRANSFER_PATHS.list, {
      storage: 'output',
      prefix: '/30001_sub',
      userId: sub.userId,
    });
    assert.deepEqual(
      listed.entries.map((e) => e.path),
      ['/30001_sub/f.exr'],
    );
    const got = await mainC.get(`/api/openfarm/transfer/files/output/30001_sub/f.exr?userId=${sub.userId}`);
    assert.equal(got.status, 200);
    assert.equal(Buffer.from(await got.arrayBuffer()).toString(), 'sub frame');
    // Not the other way round, not another user, not the input storage.
    const up = await subC.call(TRANSFER_PATHS.list, { storage: 'output', prefix: '/', userId: main.userId });
    assert.equal(up.envelope.code, 1000004);
    const stranger = await bob.call(TRANSFER_PATHS.list, {
      storage: 'output',
      prefix: '/',
      userId: sub.userId,
    });
    assert.equal(stranger.envelope.code, 1000004);
    const input = await mainC.call(TRANSFER_PATHS.list, {
      storage: 'input',
      prefix: '/',
      userId: sub.userId,
    });
    assert.equal(input.envelope.code, 1000004);
    const bobGet = await bob.get(`/api/openfarm/transfer/files/output/30001_sub/f.exr?userId=${sub.userId}`);
    assert.equal(bobGet.status, 404);
    await bobGet.arrayBuffer();
  });

  test('traversal and malformed server paths are refused', async () => {
    const small = Buffer.from('x');
    await alice.putBlob(small);
    for (const path of ['/a/../../etc/passwd', '/a/./b', '/a//b', '/a\\b', '/a\u0000b', '/', '/a/%2e%2e/b']) {
      const r = await alice.call(TRANSFER_PATHS.manifest, {
        storage: 'input',
        entries: [{ path, ...keyOf(small), mtime: 0 }],
      });
      assert.equal(r.envelope.code, 7004, `${JSON.stringify(path)} → ${r.envelope.message}`);
    }
    const listed = await alice.call(TRANSFER_PATHS.list, { storage: 'input', prefix: '/../x' });
    assert.equal(listed.envelope.code, 7004);
    for (const url of [
      '/api/openfarm/transfer/files/input/a/%2e%2e/%2e%2e/etc/passwd',
      '/api/openfarm/transfer/files/input/a%00b',
      '/api/openfarm/transfer/files/input/a%5cb',
      '/api/openfarm/transfer/files/nowhere/a',
    ]) {
      const r = await alice.get(url);
      const body = (await r.json()) as { code: number };
      assert.ok([7004, 600, 404].includes(body.code), `${url} → ${body.code}`);
      assert.notEqual(r.status, 200);
    }
    const storageRefused = await alice.call(TRANSFER_PATHS.manifest, { storage: 'secrets', entries: [] });
    assert.equal(storageRefused.envelope.code, 600);
  });

  test('uploads and batches sent at once cannot share the last free bytes of a quota', async () => {
    const fay = await farm.addUser('fay');
    const f = new TransferTestClient(farm, fay);
    const db = farm.server.farm.store.db;
    await setTransferQuota(db, fay.userId, 250_000);
    // Eight resumable uploads of 100 KB begun together: two fit.
    const begun = await Promise.all(
      Array.from({ length: 8 }, () => f.call(TRANSFER_PATHS.uploads, keyOf(randomBytes(100_000)))),
    );
    const codes = begun.map((r) => r.envelope.code).sort();
    assert.deepEqual(codes, [200, 200, 7003, 7003, 7003, 7003, 7003, 7003], JSON.stringify(codes));
    assert.equal(await usedTransferBytes(db, fay.userId), 200_000);

    // Four batches of three 10 KB blobs sent together into the 50 KB left: five blobs fit.
    const batches = Array.from({ length: 4 }, () => batchBody(3, 10_000));
    await Promise.all(batches.map((body) => f.put('/api/openfarm/transfer/blobs', body)));
    assert.equal(await usedTransferBytes(db, fay.userId), 250_000);
  });

  test('a batch that read the usage before another batch was stored still counts all of its blobs', async () => {
    const gil = await farm.addUser('gil');
    const db = farm.server.farm.store.db;
    await setTransferQuota(db, gil.userId, 50_000);
    const sessions = await UploadSessions.open({
      db,
      blobs: await LocalBlobStore.open(join(farm.dataDir, 'blobs')),
      stagingDir: join(farm.dataDir, 'blobs-staging'),
    });
    // The late batch reads the usage (nothing yet), then waits for its body.
    let bodyWanted!: () => void;
    const wanted = new Promise<void>((resolve) => {
      bodyWanted = resolve;
    });
    let sendBody!: () => void;
    const send = new Promise<void>((resolve) => {
      sendBody = resolve;
    });
    const lateBody = batchBody(3, 10_000);
    async function* late(): AsyncGenerator<Buffer> {
      bodyWanted();
      await send;
      yield lateBody;
    }
    const lateResult = sessions.putBatch(gil.userId, new BatchReader(late())).catch((e: unknown) => e);
    await wanted;
    // Meanwhile a whole batch arrives; its three blobs are stored side by side.
    async function* whole(): AsyncGenerator<Buffer> {
      yield batchBody(3, 10_000);
    }
    assert.equal(await sessions.putBatch(gil.userId, new BatchReader(whole())), 3);
    sendBody();
    const e = await lateResult;
    assert.ok(e instanceof ApiError && e.code === 7003, String(e));
    assert.equal(await usedTransferBytes(db, gil.userId), 50_000);
  });

  test('abandoned uploads expire, giving back their quota', async () => {
    const dave = await farm.addUser('dave');
    const d = new TransferTestClient(farm, dave);
    await setTransferQuota(farm.server.farm.store.db, dave.userId, 100_000);
    const data = randomBytes(80_000);
    const s = await d.data<{ uploadId: string }>(TRANSFER_PATHS.uploads, keyOf(data));
    await d.put(`/api/openfarm/transfer/uploads/${s.uploadId}/0`, data.subarray(0, 1000));
    const other = randomBytes(80_000);
    assert.equal((await d.call(TRANSFER_PATHS.uploads, keyOf(other))).envelope.code, 7003);
    const sessions = await UploadSessions.open({
      db: farm.server.farm.store.db,
      blobs: await LocalBlobStore.open(join(farm.dataDir, 'blobs')),
      stagingDir: join(farm.dataDir, 'blobs-staging'),
    });
    // Every session is older than this cutoff, the one left by an earlier test included.
    assert.ok((await sessions.sweepExpired(60_000, Date.now() + 120_000)) >= 1);
    assert.equal((await d.call(TRANSFER_PATHS.uploads, keyOf(other))).envelope.code, 200);
    assert.equal((await d.call(TRANSFER_PATHS.uploadComplete, { uploadId: s.uploadId })).envelope.code, 404);
  });

  test('quota: a clear error before any byte is stored', async () => {
    const carol = await farm.addUser('carol');
    const c = new TransferTestClient(farm, carol);
    await setTransferQuota(farm.server.farm.store.db, carol.userId, 50_000);
    await c.putBlob(randomBytes(30_000));
    const second = randomBytes(30_000);
    const k = keyOf(second);
    const r = await c.put(`/api/openfarm/transfer/blobs/${k.sha256}/${k.size}`, second);
    assert.equal(r.code, 7003);
    const s = await c.call(TRANSFER_PATHS.uploads, k);
    assert.equal(s.envelope.code, 7003);
    assert.match(s.envelope.message, /30000 of 50000 bytes used/);
  });

  test('byte routes refuse a missing or forged token', async () => {
    const res = await fetch(`${farm.url}/api/openfarm/transfer/files/output/x`, {
      headers: { authorization: 'Bearer 1.99999999999.forged' },
    });
    assert.equal(res.status, 401);
    await res.arrayBuffer();
    const none = await fetch(`${farm.url}/api/openfarm/transfer/files/output/x`);
    assert.equal(none.status, 401);
    await none.arrayBuffer();
  });
});
