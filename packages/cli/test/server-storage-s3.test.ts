/**
 * `openfarm server --storage s3://…` on a real S3 server (a throwaway Ceph RGW):
 * the server creates the bucket and says so, the SDK uploads small files (a batch)
 * and a large one (a resumable upload, stored by multipart), downloads them back
 * through the server — a half-downloaded file resumes with a Range read from S3 —
 * and the bytes are in the bucket, not in the data directory. Credentials come from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; wrong ones stop the server with the reason.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client, parseS3StorageUrl } from '@openfarm/blob-s3';
import { PART_SUFFIX, RayvisionAPI, RayvisionDownload, RayvisionUpload } from '@openfarm/sdk';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { runInProcess as runAdmin, spawnCli } from './cli-runner.js';

const rgw = await rgwForTestFile();

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface CliServer {
  url: string;
  stdout: () => string;
  stop: () => Promise<void>;
}

async function startServer(dataDir: string, storage: string, env: NodeJS.ProcessEnv): Promise<CliServer> {
  const child = spawnCli(
    ['server', '--data', dataDir, '--storage', storage, '--port', '0', '--log-level', 'silent'],
    env,
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr += s;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (s: string) => {
      stdout += s;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m !== null) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${stderr}`)));
  });
  return {
    url,
    stdout: () => stdout,
    stop: async () => {
      child.kill('SIGINT');
      await once(child, 'exit');
    },
  };
}

if (rgw.endpoint === undefined) {
  test('openfarm server --storage s3:// on Ceph RGW', { skip: rgw.skip }, () => {});
} else {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'openfarm-cli-s3-'));
  });
  after(async () => {
    rgw.stop();
    await rm(work, { recursive: true, force: true });
  });
  const credentials = { AWS_ACCESS_KEY_ID: rgw.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey };

  test('the server creates the bucket, stores uploads there and serves them back through the SDK', async () => {
    const bucket = `of-${randomUUID().slice(0, 8)}`;
    const storage = `s3://${bucket}/studio?endpoint=${encodeURIComponent(rgw.endpoint)}&region=${rgw.region}&forcePathStyle=true`;
    const dataDir = join(work, 'farm');
    const added = await runAdmin(['users', 'add', 'artist', '--data', dataDir, '--json']);
    assert.equal(added.status, 0, added.stderr);
    const user = JSON.parse(added.stdout) as { accessId: string; accessKey: string };

    const scene = join(work, 'scene');
    await mkdir(join(scene, 'tex'), { recursive: true });
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 12; i++) files.set(join(scene, 'tex', `t${i}.png`), randomBytes(20_000 + i));
    // Past the SDK's 16 MiB whole-file limit: a resumable upload, stored in S3 by multipart.
    files.set(join(scene, 'sim.vdb'), randomBytes(20 * 1024 * 1024 + 7));
    for (const [p, b] of files) await writeFile(p, b);

    let server = await startServer(dataDir, storage, credentials);
    const api = () =>
      new RayvisionAPI({
        accessId: user.accessId,
        accessKey: user.accessKey,
        domain: new URL(server.url).host,
        protocol: 'http',
        platform: '2',
      });
    try {
      assert.match(server.stdout(), new RegExp(`created bucket ${bucket}`));
      assert.match(server.stdout(), new RegExp(`storage: s3://${bucket}/studio at ${rgw.endpoint}`));
      const ini = join(work, 'transfer.ini');
      await writeFile(
        ini,
        `[DATABASE_CONFIG]\non = false\n[TRANSFER_LOG_PATH]\ntransfer_log_path = ${work}\n`,
      );
      // To the output storage, which downloads read (as a render node's frames would be).
      const report = await new RayvisionUpload(api(), { dbConfigPath: ini }).uploadFiles(
        'output',
        [...files.keys()].map((p) => ({ localPath: p, serverPath: `/shot${p.slice(scene.length)}` })),
      );
      assert.deepEqual(report.failures, []);
    } finally {
      await server.stop();
    }

    // The bytes are in the bucket under the prefix, one object per blob; none in the data directory.
    const config = parseS3StorageUrl(storage, {});
    const client = createS3Client({
      ...config,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    });
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'studio/blobs/' }));
      const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
      const expected = [...files.values()].map((b) => `studio/blobs/${sha(b)}-${b.length}`).sort();
      assert.deepEqual(keys, expected);
    } finally {
      client.destroy();
    }
    assert.equal(existsSync(join(dataDir, 'blobs')), false);
    const staging = join(dataDir, 'blobs-staging');
    if (existsSync(staging)) assert.deepEqual(await readdir(staging), []);

    // Restarted: the bucket is found, not created; downloads come back from S3.
    server = await startServer(dataDir, storage, credentials);
    try {
      assert.doesNotMatch(server.stdout(), /created bucket/);
      const dest = join(work, 'down');
      const download = new RayvisionDownload(api(), { logDir: join(work, 'logs') });
      const r = await download.download({ serverPath: 'shot', localPath: dest });
      assert.equal(r.downloadedFiles, files.size);
      for (const [p, b] of files) {
        assert.equal(sha(await readFile(join(dest, 'shot', p.slice(scene.length)))), sha(b), p);
      }
      // A half-downloaded file resumes: the rest is one Range read from the bucket.
      const big = files.get(join(scene, 'sim.vdb')) as Buffer;
      const flat = join(work, 'flat');
      await mkdir(flat);
      await writeFile(join(flat, 'sim.vdb') + PART_SUFFIX, big.subarray(0, 5_000_000));
      const resumed = await download.download({
        serverPath: '/shot/sim.vdb',
        localPath: flat,
        downloadFilenameFormat: 'false',
      });
      assert.equal(resumed.downloadedFiles, 1);
      assert.equal(resumed.receivedBytes, big.length - 5_000_000);
      assert.equal(sha(await readFile(join(flat, 'sim.vdb'))), sha(big));
    } finally {
      await server.stop();
    }
  });

  test('server --check proves the bucket with a probe object, and creates none', async () => {
    const bucket = `of-${randomUUID().slice(0, 8)}`;
    const storage = `s3://${bucket}/farm?endpoint=${encodeURIComponent(rgw.endpoint)}&forcePathStyle=true`;
    const check = (env: Record<string, string>) =>
      runAdmin(['server', '--check', '--data', join(work, 'check'), '--storage', storage], env);
    const missing = await check(credentials);
    assert.equal(missing.status, 1);
    assert.match(missing.stdout, new RegExp(`^storage: FAILED: .*bucket ${bucket} .*does not exist`, 'm'));
    const client = createS3Client({
      ...parseS3StorageUrl(storage, {}),
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      const found = await check(credentials);
      assert.equal(found.status, 0, found.stdout + found.stderr);
      assert.match(
        found.stdout,
        new RegExp(
          `^storage: ok: s3://${bucket}/farm at ${rgw.endpoint}: wrote, read back and deleted a probe object`,
          'm',
        ),
      );
      const left = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.equal(left.KeyCount ?? 0, 0, 'the probe object is deleted');
    } finally {
      client.destroy();
    }
    const denied = await check({ AWS_ACCESS_KEY_ID: 'NOPE', AWS_SECRET_ACCESS_KEY: 'wrong' });
    assert.equal(denied.status, 1);
    assert.match(denied.stdout, /^storage: FAILED: .*access denied/m);
  });

  test('wrong credentials stop the server with the reason; a mistyped URL names the mistake', async () => {
    const dataDir = join(work, 'denied');
    const storage = `s3://of-denied?endpoint=${encodeURIComponent(rgw.endpoint)}&forcePathStyle=true`;
    // In this process: the command fails before it would listen.
    const denied = await runAdmin(
      ['server', '--data', dataDir, '--storage', storage, '--port', '0', '--log-level', 'silent'],
      { AWS_ACCESS_KEY_ID: 'NOPE', AWS_SECRET_ACCESS_KEY: 'wrong' },
    );
    assert.equal(denied.status, 1);
    assert.match(
      denied.stderr,
      /bucket of-denied at http:\/\/127\.0\.0\.1:\d+: access denied.*AWS_ACCESS_KEY_ID/,
    );
    const typo = await runAdmin(
      ['server', '--data', dataDir, '--storage', `s3://of-x?endpiont=${rgw.endpoint}`, '--port', '0'],
      credentials,
    );
    assert.equal(typo.status, 1);
    assert.match(typo.stderr, /unknown setting "endpiont"/);
  });
}
