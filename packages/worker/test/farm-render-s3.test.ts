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
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { S3BlobStore } from '@openfarm/blob-s3';
import { TaskStatus } from '@openfarm/protocol';
import { RayvisionDownload } from '@openfarm/sdk';
import {
  configStoragePlugin,
  createWorker,
  type RunningFarmServer,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { Agent, blenderAdapter } from '@openfarm/worker';
import { PNG } from 'pngjs';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { closeFarm, submitSampleScene, waitUntil } from './farm-support.js';

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
  const db = server.farm.store.db;
  const { taskId, userId, api } = await submitSampleScene(server, root, { frames: 3, userName: 'artist' });

  const w = await createWorker(db, 'node-1');
  const agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir: join(root, 'node-1'),
    cacheDir: join(root, 'node-cache'),
    threads: 1,
    renderers: [blender],
  });
  const running = agent.run();
  try {
    await waitUntil(
      'the task to finish',
      async () => {
        const task = await db
          .selectFrom('tasks')
          .select('status')
          .where('id', '=', taskId)
          .executeTakeFirstOrThrow();
        assert.notEqual(task.status, TaskStatus.FAILED);
        return task.status === TaskStatus.FINISHED;
      },
      180_000,
    );
  } finally {
    await agent.stop();
    await running;
  }

  const task = await db
    .selectFrom('tasks')
    .select('output_file_name')
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  const outputs = await db
    .selectFrom('transfer_manifest')
    .select(['path', 'sha256', 'size'])
    .where('user_id', '=', userId)
    .where('storage', '=', 'output')
    .orderBy('path')
    .execute();
  assert.deepEqual(
    outputs.map((o) => o.path),
    [1, 2, 3].map((n) => `/${task.output_file_name}/sample_000${n}.png`),
  );
  // The frames' bytes (and the scene's inputs) are objects in the bucket; the data dir holds none.
  for (const o of outputs) assert.equal(await blobs.has({ sha256: o.sha256, size: Number(o.size) }), true);
  assert.equal(existsSync(join(root, 'farm', 'blobs')), false);

  const dest = join(root, 'downloaded');
  const r = await new RayvisionDownload(api, { logDir: join(root, 'logs') }).download({
    serverPath: task.output_file_name,
    localPath: dest,
  });
  assert.equal(r.downloadedFiles, 3);
  for (const o of outputs) {
    const bytes = await readFile(join(dest, o.path));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), o.sha256, o.path);
    const png = PNG.sync.read(bytes);
    assert.equal(png.width, 64);
    assert.equal(png.height, 64);
    const i = (png.width * 40 + 44) * 4;
    const [red, green, blue] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    assert.ok(!(red > 200 && green < 60 && blue > 200), `${o.path}: a texture is missing (magenta)`);
    assert.ok(
      red > 200,
      `${o.path}: the remapped absolute texture's stripes at (44,40): ${[red, green, blue]}`,
    );
  }
});
