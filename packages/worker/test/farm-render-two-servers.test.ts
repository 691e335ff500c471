/**
 * End to end with real Blender through two servers of one farm: both on one
 * PostgreSQL database (a throwaway one, or the runner's) with their blobs in one
 * throwaway Ceph RGW bucket. The SDK analyzes, uploads and submits the sample
 * scene through server one; the render node talks only to server two, reading
 * its inputs and storing its frames through it; the SDK downloads the frames
 * through server one and they are checked: PNGs of the right size, showing both
 * textures, with the hashes the manifest records.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { S3BlobStore } from '@openfarm/blob-s3';
import {
  configStoragePlugin,
  openPostgresStore,
  postgresEventsPlugin,
  type RunningFarmServer,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { blenderAdapter } from '@openfarm/worker';
import pg from 'pg';
// @ts-expect-error: a plain script without type declarations; its answer is typed below.
import { startTestPostgres } from '../../../scripts/test-postgres.mjs';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import {
  closeFarm,
  downloadAndCheckFrames,
  renderSampleOnOneNode,
} from './farm-support.js';

const blender = await blenderAdapter.detect();
const skipBlender = requireProgram('blender', { found: blender !== undefined });
const postgres = skipBlender
  ? undefined
  : ((process.env.OPENFARM_TEST_POSTGRES_URL
      ? { url: process.env.OPENFARM_TEST_POSTGRES_URL, stop() {} }
      : await startTestPostgres()) as { url: string; stop(): void } | { reason: string });
const skipPostgres =
  postgres !== undefined && 'reason' in postgres ? requireProgram('postgres', { found: false }) : false;
const rgw = skipBlender || skipPostgres ? undefined : await rgwForTestFile();

test('a Blender render through two servers on one PostgreSQL and one RGW bucket', async (t) => {
  if (skipBlender || blender === undefined) return t.skip(skipBlender || undefined);
  if (postgres === undefined || 'reason' in postgres) return t.skip(skipPostgres || postgres?.reason);
  if (rgw === undefined || rgw.endpoint === undefined) return t.skip(rgw?.skip);
  const root = await mkdtemp(join(tmpdir(), 'openfarm-render-two-'));
  const dbName = `openfarm_render_two_${process.pid}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const dbUrl = new URL(postgres.url);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const blobs = await S3BlobStore.open({
    bucket: 'render',
    prefix: 'farm',
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  const servers: RunningFarmServer[] = [];
  after(async () => {
    for (const s of servers) await closeFarm(s);
    await blobs.close();
    rgw.stop();
    const c = new pg.Client({ connectionString: postgres.url });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
    postgres.stop();
    await rm(root, { recursive: true, force: true });
  });
  // One after the other: the first migrates the new database.
  for (const name of ['one', 'two']) {
    servers.push(
      await startServer({
        dataDir: join(root, name),
        port: 0,
        logLevel: 'silent',
        store: openPostgresStore(databaseUrl, 4),
        plugins: [
          transferPlugin({ blobs, uploadStaging: 'database' }),
          configStoragePlugin({ blobs }),
          schedulerPlugin({ blobs, policy: { leaseTtlMs: 5000, reapIntervalMs: 200, maxPollMs: 1000 } }),
          postgresEventsPlugin(databaseUrl),
        ],
      }),
    );
  }
  const [one, two] = servers as [RunningFarmServer, RunningFarmServer];
  // The frames' bytes (and the scene's inputs) are objects in the bucket.
  const { task, api } = await renderSampleOnOneNode({
    submitVia: one,
    nodeServer: two.url,
    root,
    renderer: blender,
    blobs,
  });
  for (const name of ['one', 'two']) assert.equal(existsSync(join(root, name, 'blobs')), false);

  await downloadAndCheckFrames(api, root, task);
});
