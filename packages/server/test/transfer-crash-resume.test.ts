/**
 * kill -9 of the farm in the middle of a large upload: the half-sent blob is
 * never visible, and after a restart the same upload resumes from the bytes
 * the farm kept and ends with the blob complete and verified.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import type { NewUser } from '@openfarm/server';
import { RayvisionAPI, RayvisionUpload } from '@openfarm/sdk';
import { firstLine, freePort, spawnTsx } from '../../../scripts/test-support/child-farm.js';
import { LocalBlobStore } from '../src/blob/index.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./transfer-crash-server.ts', import.meta.url));

async function startFarmProcess(
  dataDir: string,
  port: number,
  createUser: boolean,
): Promise<{ child: ChildProcess; user?: NewUser }> {
  const child = spawnTsx(SERVER_SCRIPT, [dataDir, String(port), ...(createUser ? ['create-user'] : [])]);
  const line = await firstLine(child, 'farm process');
  const parsed = JSON.parse(line) as { user?: NewUser };
  return { child, ...(parsed.user !== undefined ? { user: parsed.user } : {}) };
}

const work = await mkdtemp(join(tmpdir(), 'openfarm-transfer-crash-'));
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(work, { recursive: true, force: true });
});

test('kill -9 mid-upload: nothing half-written is visible; after a restart the upload resumes and verifies', async () => {
  const dataDir = join(work, 'farm');
  const port = await freePort();
  const first = await startFarmProcess(dataDir, port, true);
  children.push(first.child);
  const user = first.user as NewUser;

  const size = 32 * 1024 * 1024;
  const chunk = 4 * 1024 * 1024;
  const data = randomBytes(size);
  const key = { sha256: createHash('sha256').update(data).digest('hex'), size };
  const file = join(work, 'big.exr');
  await writeFile(file, data);
  const dbConfigPath = join(work, 'db_config.ini');
  await writeFile(
    dbConfigPath,
    `[TRANSFER_LOG_PATH]\ntransfer_log_path = ${join(work, 'logs')}\n[DATABASE_CONFIG]\non = false\n`,
  );

  const api = new RayvisionAPI({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: `127.0.0.1:${port}`,
    protocol: 'http',
    platform: '2',
    retry: { attempts: 8, baseDelayMs: 200, maxDelayMs: 1000 },
  });
  const upload = new RayvisionUpload(api, { dbConfigPath, chunkBytes: chunk });

  let restarted: Promise<void> | undefined;
  let visibleWhileDown: boolean | undefined;
  let stagedWhileDown = -1;
  upload.on('progress', (p) => {
    if (p.phase !== 'send' || restarted !== undefined || p.bytesDone < 10 * 1024 * 1024) return;
    restarted = (async () => {
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      // While the farm is down: the blob is not visible, its bytes so far are in staging.
      visibleWhileDown = await (await LocalBlobStore.open(join(dataDir, 'blobs'))).has(key);
      const staged = await readdir(join(dataDir, 'blobs-staging'));
      stagedWhileDown =
        staged.length === 1 ? (await stat(join(dataDir, 'blobs-staging', staged[0] as string))).size : -1;
      const second = await startFarmProcess(dataDir, port, false);
      children.push(second.child);
    })();
  });

  // 12 MB/s so the kill lands in the middle of the transfer.
  const started = performance.now();
  const report = await upload.uploadFiles('input', [{ localPath: file, serverPath: '/shots/big.exr' }], {
    maxSpeed: 12 * 1024,
    isDb: false,
  });
  await restarted;
  console.log(
    `# upload with a crash and restart took ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(
    `# staged before the crash: ${stagedWhileDown} bytes; sent in all: ${report.sentBytes} of ${size}`,
  );
  assert.equal(visibleWhileDown, false, 'half-written blob visible after kill -9');
  assert.ok(stagedWhileDown > 0 && stagedWhileDown < size, `staging held ${stagedWhileDown} bytes`);
  assert.equal(report.failures.length, 0);
  // Resumed, not restarted: at most the interrupted chunk travels twice.
  assert.ok(report.sentBytes < size + chunk, `sent ${report.sentBytes} bytes`);

  const store = await LocalBlobStore.open(join(dataDir, 'blobs'));
  assert.equal(await store.has(key), true);
  const h = createHash('sha256');
  for await (const c of await store.get(key)) h.update(c as Buffer);
  assert.equal(h.digest('hex'), key.sha256);
  assert.deepEqual(await readdir(join(dataDir, 'blobs-staging')), []);
});
