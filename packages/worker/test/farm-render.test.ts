/**
 * End to end with real Blender: a farm on 127.0.0.1, the sample scene analyzed,
 * checked, uploaded and submitted through the SDK as an artist would, then
 * rendered by 2 render nodes (the real agent, Blender as a child process).
 * The artist's files are deleted before rendering, so the textures can only
 * come from the farm's staged copies — the absolute-path one through the
 * path remapping. Every image must decode at 64×64, vary, and show both
 * textures (no missing-texture magenta).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { LocalBlobStore, type RunningFarmServer } from '@openfarm/server';
import { blenderAdapter, type InstalledRenderer } from '@openfarm/worker';
import { PNG } from 'pngjs';
import {
  closeFarm,
  startFarm,
  startRenderNode,
  submitSampleScene,
  taskOutputs,
  waitForTaskFinished,
} from './farm-support.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-farm-render-'));
  blender = await blenderAdapter.detect();
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 5000, reapIntervalMs: 200, maxPollMs: 1000 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

test('2 render nodes render 6 frames of the sample scene with both textures found', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const db = server.farm.store.db;
  const { taskId, userId } = await submitSampleScene(server, root, { frames: 6, userName: 'artist' });

  const nodes = await Promise.all(
    ['node-1', 'node-2'].map((name) =>
      startRenderNode(db, {
        server: server.url,
        name,
        workDir: join(root, name),
        cacheDir: join(root, 'shared-cache'),
        renderer: blender!,
      }),
    ),
  );
  try {
    await waitForTaskFinished(db, taskId, 120_000, (status) =>
      assert.ok(
        status === TaskStatus.WAITING || status === TaskStatus.RENDERING || status === TaskStatus.FINISHED,
        `task status ${status}`,
      ),
    );
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }

  const frames = await db
    .selectFrom('frames')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('chunk_index')
    .execute();
  assert.equal(frames.length, 6);
  assert.ok(frames.every((f) => f.state === FrameStatus.DONE));
  assert.equal(new Set(frames.map((f) => f.node_name)).size, 2, 'both nodes rendered');
  assert.ok(
    frames.every((f) => f.thumbnail_path !== null),
    'a thumbnail per frame',
  );
  const log = await db
    .selectFrom('frame_log_lines')
    .select('line')
    .where('frame_id', '=', frames[0]!.id)
    .execute();
  assert.ok(
    log.some((l) => l.line.startsWith('Saved:')),
    'the render log was stored',
  );

  const task = await taskOutputs(db, taskId, userId);
  const { outputs } = task;
  assert.deepEqual(
    outputs.map((o) => o.path),
    [1, 2, 3, 4, 5, 6].map((n) => `/${task.outputFileName}/sample_000${n}.png`),
  );
  const blobs = await LocalBlobStore.open(join(root, 'farm', 'blobs'));
  const images: PNG[] = [];
  for (const o of outputs) {
    const chunks: Buffer[] = [];
    for await (const c of await blobs.get({ sha256: o.sha256, size: Number(o.size) }))
      chunks.push(c as Buffer);
    images.push(PNG.sync.read(Buffer.concat(chunks)));
  }
  for (const [i, png] of images.entries()) {
    assert.equal(png.width, 64);
    assert.equal(png.height, 64);
    const right = pixel(png, 44, 40);
    assert.ok(
      !(right[0] > 200 && right[1] < 60 && right[2] > 200),
      `frame ${i + 1}: absolute texture missing ${right}`,
    );
    assert.ok(right[0] > 200, `frame ${i + 1}: stripes at (44,40) are orange/white: ${right}`);
    const left = pixel(png, 12, 40);
    assert.ok(left[0] < 100 && left[1] + left[2] > 150, `frame ${i + 1}: checker at (12,40): ${left}`);
    assert.notDeepEqual(pixel(png, 0, 0), pixel(png, 44, 40), 'not uniform');
  }
  assert.notDeepEqual(images[0]!.data, images[5]!.data, 'the animation moves');
});
