/**
 * A cold frame gives its slot back when its renderer exits: the node's next
 * frame renders while the last one's outputs upload and its completion is
 * reported, so a slow upload (a large EXR over a busy link) does not hold the
 * node idle; at most as many frames finish at once as the node has slots. Real Blender on a one-slot node; the upload is slowed on the
 * node's side. Warm sessions keep their slot until the renderer is given back
 * (warm-farm.test.ts covers them).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { createWorker, type RunningFarmServer } from '@openfarm/server';
import { Agent, blenderAdapter, type InstalledRenderer } from '@openfarm/worker';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { closeFarm, startFarm, submitSampleScene, taskOutputs, waitForTaskFinished } from './farm-support.js';

const UPLOAD_DELAY_MS = 2500;

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-slot-after-render-'));
  blender = await blenderAdapter.detect();
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 10_000, reapIntervalMs: 200, maxPollMs: 5000 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

test('the next frame renders while the last one uploads its outputs; both are done with their outputs', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const db = server.farm.store.db;
  const { taskId, userId } = await submitSampleScene(server, root, { frames: 3, userName: 'artist' });

  const w = await createWorker(db, 'node-1');
  const events: Array<{ at: number; line: string }> = [];
  const agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir: join(root, 'node-1'),
    cacheDir: join(root, 'cache'),
    threads: 1,
    renderers: [blender],
    warm: false,
    log: (line) => events.push({ at: Date.now(), line }),
  });
  // A slow link: every output upload takes UPLOAD_DELAY_MS longer.
  const upload = agent.api.uploadOutput.bind(agent.api);
  agent.api.uploadOutput = async (...args) => {
    await new Promise((r) => setTimeout(r, UPLOAD_DELAY_MS));
    return upload(...args);
  };
  const running = agent.run();
  try {
    await waitForTaskFinished(db, taskId, 180_000, (status) => assert.notEqual(status, TaskStatus.FAILED));
  } finally {
    await agent.stop();
    await running;
  }

  const at = (pattern: RegExp): number[] => events.filter((e) => pattern.test(e.line)).map((e) => e.at);
  const started = at(/^frame \d+ \(task \d+, frames \d+\): rendering$/);
  const done = at(/^frame \d+: done$/);
  assert.equal(started.length, 3, events.map((e) => e.line).join('\n'));
  assert.equal(done.length, 3);
  // Each next frame started before the one before it was done (it was still uploading), but
  // with one slot at most one frame finishes at a time: the third waited for the first.
  assert.ok(started[2]! >= done[0]!, 'frame 3 started while frames 1 and 2 were both still finishing');
  for (let i = 1; i < 3; i++)
    assert.ok(
      started[i]! < done[i - 1]!,
      `frame ${i + 1} started ${started[i]! - done[i - 1]!} ms after frame ${i} was done`,
    );
  assert.deepEqual(agent.outcomes, { done: 3, failed: 0, cancelled: 0 });

  const frames = await db.selectFrom('frames').select('state').where('task_id', '=', taskId).execute();
  assert.ok(frames.every((f) => f.state === FrameStatus.DONE));
  const { outputFileName, outputs } = await taskOutputs(db, taskId, userId);
  assert.deepEqual(
    outputs.map((o) => o.path),
    [1, 2, 3].map((n) => `/${outputFileName}/sample_000${n}.png`),
  );
});
