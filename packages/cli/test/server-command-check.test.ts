/**
 * `openfarm server --check` and `openfarm migrate`: what a server would use, tried
 * without starting it — the data directory, the database (SQLite here; PostgreSQL in
 * the run's PostgreSQL pass, and an unreachable one) and the storage (a probe object
 * written, read back and deleted) — and the schema brought up to date on its own.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runInProcess } from './cli-runner.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'openfarm-cli-check-'));
});
after(() => rm(work, { recursive: true, force: true }));

test('a fresh data directory checks out; migrate creates the schema once; the check then finds it', async () => {
  const data = join(work, 'fresh');
  const first = await runInProcess(['server', '--check', '--data', data]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^data: ok: .* does not exist yet/m);
  assert.match(first.stdout, /^database: ok: SQLite .*openfarm\.db does not exist yet/m);
  assert.match(
    first.stdout,
    /^storage: ok: .*blobs: wrote, read back and deleted a probe object \(\d+ ms\)/m,
  );
  assert.match(first.stdout, /the server can reach everything it needs/);
  // The probe leaves nothing behind, and the check made no database.
  assert.equal(existsSync(join(data, 'openfarm.db')), false);
  const objects = join(data, 'blobs', 'objects');
  for (const sub of existsSync(objects) ? await readdir(objects) : []) {
    assert.deepEqual(await readdir(join(objects, sub)), []);
  }

  const migrated = await runInProcess(['migrate', '--data', data]);
  assert.equal(migrated.status, 0, migrated.stderr);
  const applied = /applied (\d+) migrations \(([^)]+)\); (\d+) in all/.exec(migrated.stdout);
  assert.ok(applied, migrated.stdout);
  assert.equal(applied[1], applied[3]);
  assert.match(applied[2] ?? '', /0001_/);
  const again = await runInProcess(['migrate', '--data', data]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`up to date, nothing to apply \\(${applied[3]} migrations\\)`));

  const second = await runInProcess(['server', '--check', '--data', data]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /^data: ok: .* is writable/m);
  assert.match(
    second.stdout,
    new RegExp(`^database: ok: SQLite .*: ${applied[3]} migrations applied, none pending`, 'm'),
  );
});

test('an unreachable database and an unusable storage fail the check, each named, the password never shown', async () => {
  const data = join(work, 'broken');
  const notADir = join(work, 'a-file');
  await writeFile(notADir, 'x');
  const r = await runInProcess([
    'server',
    '--check',
    '--data',
    data,
    '--database-url',
    'postgres://farm:sekret-pw@127.0.0.1:1/openfarm',
    '--storage',
    join(notADir, 'blobs'),
  ]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^database: FAILED: PostgreSQL 127\.0\.0\.1:1\/openfarm: .*ECONNREFUSED/m);
  assert.match(r.stdout, /^storage: FAILED: .*a-file\/blobs: .*ENOTDIR/m);
  assert.match(r.stderr, /the check failed: database, storage/);
  assert.doesNotMatch(r.stdout + r.stderr, /sekret-pw/);
  // Credentials put in a storage URL are refused, and not echoed.
  const s3 = await runInProcess([
    'server',
    '--check',
    '--data',
    data,
    '--storage',
    's3://KEYID:sekret-key@bucket',
  ]);
  assert.equal(s3.status, 1);
  assert.match(s3.stdout, /^storage: FAILED: s3:\/\/\*\*\*@bucket: .*credentials do not go in the URL/m);
  assert.doesNotMatch(s3.stdout + s3.stderr, /sekret-key/);
  const other = await runInProcess([
    'server',
    '--check',
    '--data',
    data,
    '--storage',
    'https://u:sekret-other@x/b',
  ]);
  assert.equal(other.status, 1);
  assert.match(other.stdout, /^storage: FAILED: .*a folder or s3:\/\//m);
  assert.doesNotMatch(other.stdout + other.stderr, /sekret-other/);
});

const postgresUrl = process.env.OPENFARM_TEST_POSTGRES_URL;
test('on PostgreSQL: migrate, then the check reports the server version and no pending migration', {
  skip: postgresUrl ? false : 'OPENFARM_TEST_POSTGRES_URL not set',
}, async () => {
  const url = postgresUrl as string;
  const migrated = await runInProcess(['migrate', '--data', join(work, 'pg'), '--database-url', url]);
  assert.equal(migrated.status, 0, migrated.stderr);
  assert.match(migrated.stdout, /^PostgreSQL 127\.0\.0\.1:\d+\/\w+: (up to date|applied)/m);
  const r = await runInProcess(['server', '--check', '--data', join(work, 'pg'), '--database-url', url]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^database: ok: PostgreSQL 127\.0\.0\.1:\d+\/\w+ \(server \d+[.\d]*.*\): \d+ migrations applied, none pending/m,
  );
});

test('server --public-url refuses what is not a scheme, host and port', async () => {
  const r = await runInProcess([
    'server',
    '--data',
    join(work, 'public'),
    '--port',
    '0',
    '--public-url',
    'https://farm/api',
  ]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--public-url is a scheme, a host and an optional port only/);
});
