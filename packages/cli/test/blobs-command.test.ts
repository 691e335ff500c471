/**
 * `openfarm blobs gc` on a running farm's data directory: an old blob nothing
 * references is hidden by one run and purged by the next, a referenced one stays,
 * and a bad --grace is refused.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  createUser,
  LocalBlobStore,
  type RunningFarmServer,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { runInProcess as runCli, spawnCli } from './cli-runner.js';

let dataDir: string;
let farm: RunningFarmServer;
let blobs: LocalBlobStore;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'openfarm-cli-blobs-'));
  farm = await startServer({ dataDir, port: 0, logLevel: 'silent', plugins: [transferPlugin()] });
  // A second store on the farm's folder, as the command opens one while the farm runs.
  blobs = await LocalBlobStore.open(join(dataDir, 'blobs'), { durable: false });
});
after(async () => {
  await blobs?.close();
  await farm?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('openfarm blobs gc hides, then purges, what nothing references', async () => {
  const keyOf = (b: Buffer) => ({ sha256: createHash('sha256').update(b).digest('hex'), size: b.length });
  const orphan = randomBytes(4000);
  const held = randomBytes(4000);
  await blobs.put(keyOf(orphan), new Uint8Array(orphan));
  await blobs.put(keyOf(held), new Uint8Array(held));
  const user = await createUser(farm.farm.store.db, 'alice');
  await farm.farm.store.db
    .insertInto('transfer_user_blobs')
    .values({ user_id: user.userId, ...keyOf(held), created_at: Date.now() })
    .execute();

  const gc = () => runCli(['blobs', 'gc', '--data', dataDir, '--grace', '0', '--json']);
  const first = await gc();
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), {
    scanned: 2,
    quarantined: 1,
    restored: 0,
    purged: 0,
    purgedBytes: 0,
    compactedBytes: 0,
    expiredOutputs: 0,
  });
  assert.equal(await blobs.has(keyOf(orphan)), false, 'hidden at once');
  await new Promise((r) => setTimeout(r, 5));
  const second = await gc();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(JSON.parse(second.stdout).purged, 1);
  assert.equal(JSON.parse(second.stdout).purgedBytes, 4000);
  assert.equal(await blobs.has(keyOf(held)), true);

  const text = await runCli(['blobs', 'gc', '--data', dataDir]);
  assert.match(text.stdout, /blobs looked at; 0 unreferenced hidden/);
  // Retention: an output entry older than the setting goes, with the user's proof of holding its blob;
  // the blob is then hidden and purged like any other. A newer output stays.
  const oldFrame = randomBytes(3000);
  const newFrame = randomBytes(3000);
  const db = farm.farm.store.db;
  for (const [b, age] of [
    [oldFrame, 40 * 86_400_000],
    [newFrame, 86_400_000],
  ] as const) {
    await blobs.put(keyOf(b), new Uint8Array(b));
    await db
      .insertInto('transfer_user_blobs')
      .values({ user_id: user.userId, ...keyOf(b), created_at: Date.now() })
      .execute();
    await db
      .insertInto('transfer_manifest')
      .values({
        user_id: user.userId,
        storage: 'output',
        path: `/1_shot/${b.length}-${age}.exr`,
        ...keyOf(b),
        mtime: 1,
        updated_at: Date.now() - age,
      })
      .execute();
  }
  const kept = await runCli(['blobs', 'gc', '--data', dataDir, '--grace', '0', '--json']);
  assert.equal(JSON.parse(kept.stdout).quarantined, 0, 'without retention, outputs are kept');
  const retained = await runCli([
    'blobs',
    'gc',
    '--data',
    dataDir,
    '--grace',
    '0',
    '--output-retention',
    '30d',
    '--json',
  ]);
  assert.equal(retained.status, 0, retained.stderr);
  assert.equal(JSON.parse(retained.stdout).expiredOutputs, 1);
  assert.equal(JSON.parse(retained.stdout).quarantined, 1);
  assert.equal(await blobs.has(keyOf(oldFrame)), false);
  assert.equal(await blobs.has(keyOf(newFrame)), true);

  const bad = await runCli(['blobs', 'gc', '--data', dataDir, '--grace', 'soon']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--grace: "soon" is not a duration/);
});

test('openfarm server --gc-interval collects on a schedule', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-cli-gc-server-'));
  const store = await LocalBlobStore.open(join(dir, 'blobs'), { durable: false });
  const orphan = randomBytes(2500);
  await store.put(
    { sha256: createHash('sha256').update(orphan).digest('hex'), size: orphan.length },
    new Uint8Array(orphan),
  );
  await store.close();
  const child = spawnCli([
    'server',
    '--data',
    dir,
    '--port',
    '0',
    '--log-level',
    'silent',
    '--gc-interval',
    '300ms',
    '--gc-grace',
    '0',
  ]);
  try {
    let out = '';
    child.stdout?.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (s: string) => {
        out += s;
        if (/blobs gc: .* 1 purged \(2500 bytes\)/.test(out)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
    });
  } finally {
    child.kill('SIGINT');
    await once(child, 'exit');
    await rm(dir, { recursive: true, force: true });
  }
});
