/**
 * The blob garbage collector on Ceph RGW (scripts/test-rgw.mjs): the scenario of the
 * local store's test (a farm taking uploads while the collector runs; nothing
 * referenced lost, old unreferenced blobs gone), then `openfarm blobs gc --storage
 * s3://…` hiding and purging an orphan in a bucket.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { S3BlobStore } from '@openfarm/blob-s3';
import { openFarmStore } from '@openfarm/server';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { gcWhileUploading, keyOf } from '../../server/test/support/gc-scenario.js';
import { runInProcess as runCli } from './cli-runner.js';

const rgw = await rgwForTestFile();

if (rgw.endpoint === undefined) {
  test('blob garbage collection on Ceph RGW', { skip: rgw.skip }, () => {});
} else {
  after(() => rgw.stop());
  const open = (bucket: string) =>
    S3BlobStore.open({
      bucket,
      prefix: 'farm',
      endpoint: rgw.endpoint,
      region: rgw.region,
      forcePathStyle: true,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    });

  test('the garbage collector removes only unreferenced blobs while uploads run (RGW)', async () => {
    const blobs = await open(`gc-${randomUUID().slice(0, 8)}`);
    try {
      // S3 times are whole seconds: a grace of a few of them.
      await gcWhileUploading(blobs, 3000);
    } finally {
      await blobs.close();
    }
  });

  test('openfarm blobs gc --storage s3://… hides, then purges, an orphan', async () => {
    const bucket = `gc-cli-${randomUUID().slice(0, 8)}`;
    const blobs = await open(bucket);
    const dataDir = await mkdtemp(join(tmpdir(), 'openfarm-gc-rgw-'));
    try {
      const store = await openFarmStore({ dataDir });
      await store.migrate();
      await store.close();
      const orphan = randomBytes(5000);
      await blobs.put(keyOf(orphan), orphan);
      await new Promise((r) => setTimeout(r, 1100));
      const storage = `s3://${bucket}/farm?endpoint=${encodeURIComponent(rgw.endpoint)}&region=${rgw.region}&forcePathStyle=true`;
      const env = { AWS_ACCESS_KEY_ID: rgw.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey };
      const gc = () =>
        runCli(['blobs', 'gc', '--data', dataDir, '--storage', storage, '--grace', '0', '--json'], env);
      const first = await gc();
      assert.equal(first.status, 0, first.stderr);
      assert.equal(JSON.parse(first.stdout).quarantined, 1);
      assert.equal(await blobs.has(keyOf(orphan)), false);
      await new Promise((r) => setTimeout(r, 1100));
      const second = await gc();
      assert.equal(second.status, 0, second.stderr);
      assert.equal(JSON.parse(second.stdout).purgedBytes, 5000);
      const left = [];
      for await (const q of blobs.listQuarantined()) left.push(q);
      assert.deepEqual(left, []);
    } finally {
      await blobs.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
