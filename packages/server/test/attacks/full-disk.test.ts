/**
 * Issue 15 item 5: a full disk. Every signed call writes a nonce row, so once
 * the disk filled, even reads answered "Internal server error" while /healthz
 * said ok. Against a real server whose data directory is a size-limited tmpfs
 * mounted here (root only: skipped with a message elsewhere, failed under
 * CI=true): reads keep working (the replay check falls back to memory and
 * still catches a replay), writes answer STORAGE_FULL 7021, /healthz says
 * "degraded" and returns to "ok" by itself once space is freed, and a server
 * started on the full disk says so naming the path.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ENDPOINTS, signHeaders } from '@openfarm/protocol';
import {
  createUser,
  type NewUser,
  type RunningFarmServer,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { sql } from 'kysely';
import { Client, type TestFarm } from '../support/farm.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root to mount a size-limited tmpfs';
if (!isRoot && process.env.CI === 'true') throw new Error('CI=true: the full-disk test must run as root');

let mountPoint: string;
let mounted = false;
let server: RunningFarmServer | undefined;
let user: NewUser;
let client: Client;
const filler = () => join(mountPoint, 'filler');

/** Write zeros to `file` until the file system refuses more. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'a');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // Fill the last partial block too.
    try {
      for (;;) writeSync(fd, block.subarray(0, 512));
    } catch {}
  } finally {
    closeSync(fd);
  }
}

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server!.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

before(async () => {
  if (!isRoot) return;
  mountPoint = await mkdtemp(join(tmpdir(), 'openfarm-full-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint]);
  mounted = true;
  const dataDir = join(mountPoint, 'data');
  server = await startServer({ dataDir, port: 0, logLevel: 'silent', plugins: [transferPlugin()] });
  user = await createUser(server.farm.store.db, 'artist');
  client = new Client({ url: server.url, host: new URL(server.url).host } as TestFarm, user);
});

after(async () => {
  await server?.close();
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
  if (mountPoint !== undefined) await rm(mountPoint, { recursive: true, force: true });
});

test('on a full disk reads work, writes answer STORAGE_FULL, /healthz says degraded, and all recovers', {
  skip,
}, async () => {
  const created = await client.call(ENDPOINTS['task.createTask'].path, { count: 1 });
  assert.equal(created.envelope.code, 200);
  assert.deepEqual((await health()).body, { status: 'ok' });

  // Nothing left: the WAL emptied into the database, then every free block taken.
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(server!.farm.store.db);
  fillDisk(filler());

  // Reads: each one's nonce cannot be stored, and they still answer.
  for (let i = 0; i < 5; i++) {
    const profile = await client.call(ENDPOINTS['user.queryUserProfile'].path, {});
    assert.equal(profile.envelope.code, 200, JSON.stringify(profile.envelope));
  }
  const list = await client.call(ENDPOINTS['query.getTaskList'].path, { pageNum: 1, pageSize: 10 });
  assert.equal(list.envelope.code, 200, JSON.stringify(list.envelope));

  // A replay is still caught while the nonce lives in memory only.
  const path = ENDPOINTS['user.queryUserProfile'].path;
  const headers = signHeaders({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: new URL(server!.url).host,
    path,
    body: {},
    platform: '2',
  });
  const send = async () =>
    (
      (await (await fetch(`${server!.url}${path}`, { method: 'POST', headers, body: '{}' })).json()) as {
        code: number;
      }
    ).code;
  assert.equal(await send(), 200);
  assert.equal(await send(), 7001);

  // Writes name the cause.
  const write = await client.call(ENDPOINTS['task.createTask'].path, { count: 1 });
  assert.equal(write.status, 507);
  assert.equal(write.envelope.code, 7021, JSON.stringify(write.envelope));
  assert.match(write.envelope.message, /storage is full/i);

  const degraded = await health();
  assert.equal(degraded.status, 200);
  assert.equal(degraded.body.status, 'degraded');
  assert.equal(degraded.body.storage, 'full');
  assert.equal(degraded.body.dataDir, join(mountPoint, 'data'));

  // Space returns: /healthz finds out by itself, and writes work again.
  await rm(filler());
  assert.deepEqual((await health()).body, { status: 'ok' });
  const again = await client.call(ENDPOINTS['task.createTask'].path, { count: 1 });
  assert.equal(again.envelope.code, 200, JSON.stringify(again.envelope));
});

test('a server started on a full disk says so and names the path', { skip }, async () => {
  const dataDir = join(mountPoint, 'second');
  await mkdir(dataDir);
  fillDisk(filler());
  try {
    await assert.rejects(startServer({ dataDir, port: 0, logLevel: 'silent' }), (err: Error) => {
      assert.match(err.message, new RegExp(`data directory ${dataDir}\\b`));
      assert.match(err.message, /no space left on the device \((ENOSPC|SQLITE_FULL)\)/);
      return true;
    });
  } finally {
    await rm(filler());
  }
});
