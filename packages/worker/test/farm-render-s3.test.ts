/**
 * End to end with real Blender and a real S3 server: a farm whose blobs live in a
 * throwaway Ceph RGW (S3BlobStore), the sample scene uploaded and submitted through
 * the SDK, rendered by a render node that reads its inputs through the farm (from
 * the bucket) and uploads its frames back (into the bucket), and the frames
 * downloaded by the SDK and checked: PNGs of the right size, showing both textures,
 * with the hashes the manifest records, and every byte in the bucket, none on disk.
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
  type RunningFarmServer,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { blenderAdapter } from '@openfarm/worker';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import {
  closeFarm,
  downloadAndCheckFrames,
  renderSampleOnOneNode,
} from './farm-support.js';

const blender = await blenderAdapter.detect();
const skipBlender = requireProgram('blender', { found: blender !== undefined });
const rgw = skipBlender ? undefined : await rgwForTestFile();

test('a Blender render through a farm whose blobs live in Ceph RGW', async (t) => {
  if (skipBlender || blender === undefined) return t.skip(skipBlender || undefined);
  if (rgw === undefined || rgw.endpoint === undefined) return t.skip(rgw?.skip);
  const root = await mkdtemp(join(tmpdir(), 'openfarm-render-s3-'));
  const blobs = await S3BlobStore.open({
    bucket: 'render',
    prefix: 'farm',
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  let server: RunningFarmServer | undefined;
  after(async () => {
    if (server !== undefined) await closeFarm(server);
    await blobs.close();
    rgw.stop();
    await rm(root, { recursive: true, force: true });
  });
  server = await startServer({
    dataDir: join(root, 'farm'),
    port: 0,
    logLevel: 'silent',
    plugins: [
      transferPlugin({ blobs }),
      configStoragePlugin({ blobs }),
      schedulerPlugin({ blobs, policy: { leaseTtlMs: 5000, reapIntervalMs: 200, maxPollMs: 1000 } }),
    ],
  });
  // The frames' bytes (and the scene's inputs) are objects in the bucket.
  const { task, api } = await renderSampleOnOneNode({
    submitVia: server,
    nodeServer: server.url,
    root,
    renderer: blender,
    blobs,
  });
  assert.equal(existsSync(join(root, 'farm', 'blobs')), false, 'the data dir holds no blob');

  await downloadAndCheckFrames(api, root, task);
});
