/**
 * The SDK's transfer engine against a real farm over HTTP: upload a tree,
 * download it back and compare hashes; unchanged re-uploads send no bytes;
 * partial downloads resume; maxSpeed holds; failures are collected and thrown.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  hashFile,
  PART_SUFFIX,
  RayvisionAPI,
  RayvisionDownload,
  RayvisionUpload,
  TokenBucket,
  TransferClient,
  TransferFailedError,
  type TransferProgress,
  uploadFiles,
} from '@openfarm/sdk';
import type { FastifyInstance } from 'fastify';
import { setTransferQuota, transferPlugin } from '../src/transfer/index.js';
import { startTestFarm, type TestFarm } from './support/farm.js';

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** A job folder with an upload.json over a tree of small and large files; returns local path → hash. */
async function makeJob(root: string): Promise<{ uploadJson: string; files: Map<string, string> }> {
  const files = new Map<string, string>();
  const put = async (rel: string, data: Buffer) => {
    const p = join(root, 'scene', rel);
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(p, data);
    files.set(p, sha(data));
  };
  for (let i = 0; i < 40; i++) await put(`tex/t${i}.png`, randomBytes(1000 + i * 97));
  await put('tex/dup-a.png', Buffer.from('same bytes'));
  await put('tex/dup-b.png', Buffer.from('same bytes'));
  await put('tex/empty.txt', Buffer.alloc(0));
  await put('cache/sim.vdb', randomBytes(2_500_000));
  await put('scene.blend', randomBytes(300_000));
  const job = join(root, 'job-20260101');
  await mkdir(job, { recursive: true });
  const uploadJson = join(job, 'upload.json');
  const asset = [
    { local: join(root, 'scene', 'tex'), server: `/W${join(root, 'scene', 'tex')}` },
    {
      local: join(root, 'scene', 'cache', 'sim.vdb'),
      server: `/W${join(root, 'scene', 'cache', 'sim.vdb')}`,
    },
    { local: join(root, 'scene', 'scene.blend'), server: `/W${join(root, 'scene', 'scene.blend')}` },
  ];
  await writeFile(uploadJson, JSON.stringify({ asset, scene: [] }));
  return { uploadJson, files };
}

describe('SDK transfer engine against a real farm', () => {
  let farm: TestFarm;
  let api: RayvisionAPI;
  let work: string;
  let dbConfigPath: string;
  /** Byte-stream PUTs the farm received (a server hook: every file byte travels in one). */
  let puts = 0;
  const countPuts = (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      if (request.method === 'PUT') puts++;
    });
  };

  before(async () => {
    farm = await startTestFarm({ plugins: [countPuts, transferPlugin()] });
    const user = await farm.addUser('artist');
    api = new RayvisionAPI({
      accessId: user.accessId,
      accessKey: user.accessKey,
      domain: farm.host,
      protocol: 'http',
      platform: '2',
    });
    work = await mkdtemp(join(tmpdir(), 'openfarm-transfer-sdk-'));
    dbConfigPath = join(work, 'db_config.ini');
    await writeFile(
      dbConfigPath,
      `[TRANSFER_LOG_PATH]\ntransfer_log_path = ${join(work, 'logs')}\n[DATABASE_CONFIG]\non = true\ntype = sqlite\ndb_path = ${join(work, 'db')}\n`,
    );
  });
  after(async () => {
    await farm.close();
    await rm(work, { recursive: true, force: true });
  });

  test('upload a tree, list it, re-upload unchanged without sending bytes', async () => {
    const { uploadJson, files } = await makeJob(join(work, 'a'));
    const upload = new RayvisionUpload(api, { dbConfigPath, chunkBytes: 1024 * 1024 });
    const phases = new Set<string>();
    upload.on('progress', (p) => phases.add(p.phase));

    puts = 0;
    const first = await upload.uploadAsset(uploadJson);
    assert.equal(first.files, files.size);
    assert.equal(first.failures.length, 0);
    // Two files share their bytes: one blob sent for both.
    const distinctBytes = [...new Map([...files].map(([p, h]) => [h, p])).values()];
    let expected = 0;
    for (const p of distinctBytes) expected += (await stat(p)).size;
    assert.equal(first.sentBytes, expected);
    // The 44 distinct small blobs (under 1 MiB) in one batch request, the 2.5 MB file in three 1 MiB chunks.
    assert.equal(puts, 1 + 3);
    assert.ok(phases.has('hash') && phases.has('send') && phases.has('done'));
    assert.match(await readFile(join(work, 'logs', 'openfarm-transfer.log'), 'utf8'), /"kind":"upload"/);
    await stat(join(work, 'db', 'db', 'job-20260101.db'));

    // The farm's manifest holds every file with the local hash.
    const listed = await new TransferClient(api.connection).list('input', `/W${join(work, 'a', 'scene')}`);
    assert.equal(listed.length, files.size);
    for (const e of listed) assert.equal(e.sha256, files.get(e.path.slice(2)), e.path);

    // Unchanged: the local database skips every file without hashing or asking.
    puts = 0;
    const second = await upload.uploadAsset(uploadJson);
    assert.equal(second.unchanged, files.size);
    assert.equal(second.sentBytes, 0);
    assert.equal(puts, 0);

    // Without the local database: hashed again, the farm says it has everything.
    const third = await upload.uploadAsset(uploadJson, { isDb: false });
    assert.equal(third.alreadyOnFarm, files.size);
    assert.equal(third.sentFiles, 0);
    assert.equal(puts, 0);
  });

  test('a changed file is sent again; temporary = true keeps no records', async () => {
    const { uploadJson, files } = await makeJob(join(work, 'b'));
    const tmpIni = join(work, 'temporary.ini');
    await writeFile(
      tmpIni,
      `[DATABASE_CONFIG]\ndb_path = ${join(work, 'db-tmp')}\n[SQLITE]\ntemporary = true\n[TRANSFER_LOG_PATH]\ntransfer_log_path = ${join(work, 'logs')}\n`,
    );
    const upload = new RayvisionUpload(api, { dbConfigPath: tmpIni });
    await upload.uploadAsset(uploadJson);
    const again = await upload.uploadAsset(uploadJson);
    assert.equal(again.unchanged, 0, 'no records kept');
    assert.equal(again.alreadyOnFarm, files.size);

    const withDb = new RayvisionUpload(api, { dbConfigPath });
    await withDb.uploadAsset(uploadJson);
    const changed = [...files.keys()].find((p) => p.endsWith('t3.png')) as string;
    await writeFile(changed, randomBytes(5000));
    const r = await withDb.uploadAsset(uploadJson);
    assert.equal(r.unchanged, files.size - 1);
    assert.equal(r.sentFiles, 1);
    assert.equal(r.sentBytes, 5000);
  });

  test('upload to the output storage, download it back by server path, hashes equal; partial files resume', async () => {
    const root = join(work, 'c');
    const { files } = await makeJob(root);
    const upload = new RayvisionUpload(api, { dbConfigPath, chunkBytes: 1024 * 1024 });
    const items = [...files.keys()].map((p) => ({
      localPath: p,
      serverPath: `/10001_shot/${relative(join(root, 'scene'), p)}`,
    }));
    await upload.uploadFiles('output', items, { isDb: false });

    const dest = join(work, 'c-down');
    const download = new RayvisionDownload(api, { logDir: join(work, 'logs') });
    const got: string[] = [];
    download.on('file', (f) => got.push(f.localPath));
    const r1 = await download.download({ serverPath: '10001_shot', localPath: dest });
    assert.equal(r1.downloadedFiles, files.size);
    assert.equal(got.length, files.size);
    for (const [p, h] of files) {
      const local = join(dest, '10001_shot', relative(join(root, 'scene'), p));
      assert.equal((await hashFile(local)).sha256, h, local);
    }
    // Identical files are skipped.
    const r2 = await download.download({ serverPath: '10001_shot', localPath: dest });
    assert.equal(r2.identical, files.size);
    assert.equal(r2.receivedBytes, 0);

    // A half-downloaded file resumes from where it stopped; flat layout with "false".
    const flat = join(work, 'c-flat');
    const big = [...files.keys()].find((p) => p.endsWith('sim.vdb')) as string;
    const bigBytes = await readFile(big);
    await mkdir(flat, { recursive: true });
    await writeFile(join(flat, 'sim.vdb') + PART_SUFFIX, bigBytes.subarray(0, 1_000_000));
    const r3 = await download.download({
      serverPath: '/10001_shot/cache',
      localPath: flat,
      downloadFilenameFormat: 'false',
    });
    assert.equal(r3.downloadedFiles, 1);
    assert.equal(r3.receivedBytes, bigBytes.length - 1_000_000);
    assert.equal((await hashFile(join(flat, 'sim.vdb'))).sha256, sha(bigBytes));
    await assert.rejects(stat(join(flat, 'sim.vdb') + PART_SUFFIX), /ENOENT/);
  });

  test('waves: hashing overlaps sending, a blob shared across waves travels once', async () => {
    const dir = join(work, 'waves');
    await mkdir(dir, { recursive: true });
    const shared = randomBytes(20_000);
    let distinct = shared.length;
    for (let i = 0; i < 12; i++) {
      const data = i % 3 === 0 ? shared : randomBytes(20_000);
      if (i % 3 !== 0) distinct += data.length;
      await writeFile(join(dir, `f${String(i).padStart(2, '0')}.bin`), data);
    }
    const client = new TransferClient(api.connection);
    const r = await uploadFiles(client, 'input', [{ localPath: dir, serverPath: '/waves' }], {
      waveBytes: 50_000,
    });
    assert.equal(r.failures.length, 0);
    // A later wave may find the shared blob already stored by an earlier one: "already on the farm".
    assert.equal(r.sentFiles + r.alreadyOnFarm, 12);
    assert.equal(r.sentBytes, distinct);
    const listed = await client.list('input', '/waves');
    assert.equal(listed.length, 12);
    const again = await uploadFiles(client, 'input', [{ localPath: dir, serverPath: '/waves2' }], {
      waveBytes: 50_000,
    });
    assert.equal(again.alreadyOnFarm, 12);
    assert.equal(again.sentBytes, 0);
  });

  test('large files: the next ones are hashed while the first is still on the wire', async () => {
    const dir = join(work, 'ahead');
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < 4; i++) await writeFile(join(dir, `big${i}.bin`), randomBytes(200_000));
    const events: TransferProgress[] = [];
    const client = new TransferClient(api.connection);
    // Each file is a wave of its own and travels alone (not kept in memory). Sending is slowed to
    // 256 KB/s, so the first file needs over half a second on the wire even alone (after the bucket's
    // 64 KB burst), while hashing the next one and asking the farm about it takes milliseconds.
    const r = await uploadFiles(client, 'input', [{ localPath: dir, serverPath: '/ahead' }], {
      waveBytes: 200_000,
      batchFileBytes: 0,
      bucket: new TokenBucket(256 * 1024),
      onProgress: (p) => events.push(p),
    });
    assert.equal(r.failures.length, 0);
    assert.equal(r.sentFiles, 4);
    const lastHash = events.findLastIndex((e) => e.phase === 'hash');
    const firstSent = events.findIndex((e) => e.phase === 'send' && e.filesDone >= 1);
    // Waiting for the wave before last to be sent would hash the third file only after the first was sent.
    assert.ok(lastHash < firstSent, `all hashed at event ${lastHash}, first file sent at ${firstSent}`);
  });

  test('small files: the bytes kept between hashing and sending stay within two waves', async () => {
    const dir = join(work, 'kept');
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < 20; i++)
      await writeFile(join(dir, `s${String(i).padStart(2, '0')}.bin`), randomBytes(20_000));
    let hashed = 0;
    let sent = 0;
    let mostInHand = 0;
    const client = new TransferClient(api.connection);
    // Five files to a wave, kept in memory from hashing until their batch is sent, slowly: the first
    // batch (100 KB) needs about 0.2 s at 200 KB/s after the burst, time for the next wave to be hashed.
    const r = await uploadFiles(client, 'input', [{ localPath: dir, serverPath: '/kept' }], {
      waveBytes: 100_000,
      bucket: new TokenBucket(200 * 1024),
      onProgress: (p) => {
        if (p.phase === 'hash') hashed = p.filesDone;
        if (p.phase === 'send') sent = p.filesDone;
        mostInHand = Math.max(mostInHand, hashed - sent);
      },
    });
    assert.equal(r.failures.length, 0);
    assert.equal(r.sentFiles, 20);
    assert.ok(mostInHand <= 10, `${mostInHand} files hashed and not yet sent at once (two waves: 10)`);
    assert.ok(mostInHand > 5, `hashing never ran a wave ahead (${mostInHand} in hand at most)`);
  });

  test('a file written to while it is uploaded: a large one fails as changed and stays invisible, a small one goes as hashed', async () => {
    const dir = join(work, 'busy');
    await mkdir(dir, { recursive: true });
    const big = join(dir, 'scene.ma');
    const small = join(dir, 'notes.txt');
    await writeFile(big, randomBytes(3_000_000));
    await writeFile(small, 'first draft');
    const client = new TransferClient(api.connection);
    const saved = new Set<string>();
    // The artist saves both files right after they were hashed, before any byte is sent.
    const r = await uploadFiles(client, 'input', [{ localPath: dir, serverPath: '/busy' }], {
      chunkBytes: 1_000_000,
      onProgress: (p) => {
        if (p.phase !== 'hash' || p.file === undefined || saved.has(p.file)) return;
        saved.add(p.file);
        writeFileSync(p.file, p.file === big ? randomBytes(3_000_000) : 'second draft, longer');
      },
    });
    assert.equal(r.failures.length, 1, JSON.stringify(r.failures));
    assert.equal(r.failures[0]?.localPath, big);
    assert.match(r.failures[0]?.reason ?? '', /changed while it was uploaded; upload it again/);
    // The small file was read once, for its hash and its bytes: the farm holds that snapshot.
    const listed = await client.list('input', '/busy');
    assert.deepEqual(
      listed.map((e) => [e.path, e.sha256]),
      [['/busy/notes.txt', sha(Buffer.from('first draft'))]],
    );
    // Uploaded again, both go as they are now.
    const again = await uploadFiles(client, 'input', [{ localPath: dir, serverPath: '/busy' }], {
      chunkBytes: 1_000_000,
    });
    assert.equal(again.failures.length, 0);
    const now = await client.list('input', '/busy');
    assert.deepEqual(
      now.map((e) => [e.path, e.sha256]),
      [
        ['/busy/notes.txt', sha(await readFile(small))],
        ['/busy/scene.ma', sha(await readFile(big))],
      ],
    );
  });

  test('asset: true downloads from the input storage', async () => {
    const dir = join(work, 'assets');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'wood.tx'), 'wood texture');
    await new RayvisionUpload(api, { dbConfigPath }).uploadFiles(
      'input',
      [{ localPath: dir, serverPath: '/lib/tex' }],
      {
        isDb: false,
      },
    );
    const to = join(work, 'assets-back');
    const r = await new RayvisionDownload(api, { logDir: join(work, 'logs') }).download({
      serverPath: '/lib/tex',
      asset: true,
      localPath: to,
    });
    assert.equal(r.downloadedFiles, 1);
    assert.equal(await readFile(join(to, 'tex', 'wood.tx'), 'utf8'), 'wood texture');
  });

  test('maxSpeed holds within ±20 % over a few MB', async () => {
    const p = join(work, 'speed.bin');
    await writeFile(p, randomBytes(3 * 1024 * 1024));
    const upload = new RayvisionUpload(api, { dbConfigPath, chunkBytes: 1024 * 1024 });
    const started = performance.now();
    const r = await upload.uploadFiles('input', [{ localPath: p, serverPath: '/speed.bin' }], {
      maxSpeed: 1024,
      isDb: false,
    });
    const seconds = (performance.now() - started) / 1000;
    const rate = r.sentBytes / 1024 / seconds;
    console.log(
      `# upload at maxSpeed 1024 KB/s: ${r.sentBytes} bytes in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} KB/s`,
    );
    assert.ok(rate > 1024 * 0.8 && rate < 1024 * 1.2, `${rate} KB/s`);
  });

  test('per-file failures are collected and thrown at the end, the rest is uploaded', async () => {
    const dir = join(work, 'd');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'ok.txt'), 'fine');
    const uploadJson = join(dir, 'upload.json');
    await writeFile(
      uploadJson,
      JSON.stringify({
        asset: [
          { local: join(dir, 'ok.txt'), server: '/d/ok.txt' },
          { local: join(dir, 'gone.txt'), server: '/d/gone.txt' },
          { local: join(dir, 'ok.txt'), server: '/d/../../escape.txt' },
        ],
      }),
    );
    const upload = new RayvisionUpload(api, { dbConfigPath });
    await assert.rejects(upload.uploadAsset(uploadJson, { isDb: false }), (e: unknown) => {
      assert.ok(e instanceof TransferFailedError);
      const reasons = e.failures.map((f) => `${f.serverPath}: ${f.reason}`).join('\n');
      assert.match(reasons, /\/d\/gone\.txt: cannot read/);
      assert.match(reasons, /escape\.txt: .*(server path|manifest)/);
      return true;
    });
  });

  test('a refusal sent before the farm read the body (over quota) reaches the caller, not a broken pipe', async () => {
    const user = await farm.addUser('small-quota');
    await setTransferQuota(farm.server.farm.store.db, user.userId, 1024 * 1024);
    const small = new RayvisionAPI({
      accessId: user.accessId,
      accessKey: user.accessKey,
      domain: farm.host,
      protocol: 'http',
      platform: '2',
    });
    const p = join(work, 'too-big.bin');
    await writeFile(p, randomBytes(8 * 1024 * 1024));
    const client = new TransferClient(small.connection);
    for (const chunkBytes of [16 * 1024 * 1024, 1024 * 1024]) {
      const r = await uploadFiles(client, 'input', [{ localPath: p, serverPath: '/too-big.bin' }], {
        chunkBytes,
        attempts: 1,
      });
      assert.equal(r.failures.length, 1);
      assert.match(r.failures[0]?.reason ?? '', /quota/, `chunks of ${chunkBytes}: ${r.failures[0]?.reason}`);
    }
  });

  test('config files land in /<taskId>/cfg/ of the config storage', async () => {
    const dir = join(work, 'e');
    await mkdir(dir, { recursive: true });
    const names = ['task.json', 'tips.json', 'asset.json', 'upload.json'];
    for (const n of names) await writeFile(join(dir, n), JSON.stringify({ n }));
    await writeFile(join(dir, 'upload.json'), JSON.stringify({ asset: [] }));
    const upload = new RayvisionUpload(api, { dbConfigPath });
    const r = await upload.upload(
      '12345',
      join(dir, 'task.json'),
      join(dir, 'tips.json'),
      join(dir, 'asset.json'),
      join(dir, 'upload.json'),
    );
    assert.equal(r.config.files, 4);
    const listed = await new TransferClient(api.connection).list('config', '/12345/cfg');
    assert.deepEqual(listed.map((e) => e.path).sort(), names.map((n) => `/12345/cfg/${n}`).sort());
    await assert.rejects(
      upload.uploadConfig('12x', [join(dir, 'task.json')]),
      /task id must be a positive integer/,
    );
  });
});
