/**
 * A stop reaches a node whose renderer prints nothing: with every slot busy
 * the node keeps a poll open at the farm, which answers it as soon as the
 * frame is cancelled, so the kill does not wait for a progress report or a
 * heartbeat pause. The renderer here is a stand-in for Blender that sleeps
 * without a word (a long, silent frame); the node drives it as it would
 * Blender.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus } from '@openfarm/protocol';
import { createWorker, type RunningFarmServer } from '@openfarm/server';
import { Agent, groupAlive } from '@openfarm/worker';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

// The sample scene is made by Blender; without it there is nothing to submit.

let root: string;
let server: RunningFarmServer;
let agent: Agent | undefined;
let running: Promise<void> | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-quiet-stop-'));
  // A lease TTL of a minute: a node pausing between heartbeats would pause 10 s.
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 60_000, reapIntervalMs: 200, maxPollMs: 500 });
});
after(async () => {
  await agent?.stop();
  await running?.catch(() => undefined);
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

test('stop kills a silent renderer within a few seconds', {
  skip: requireProgram('blender'),
  timeout: 90_000,
}, async () => {
  const silent = join(root, 'silent-blender');
  await writeFile(silent, '#!/bin/sh\nexec sleep 300\n');
  await chmod(silent, 0o755);
  const w = await createWorker(server.farm.store.db, 'quiet');
  const workDir = join(root, 'node');
  agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir,
    threads: 1,
    renderers: [{ cgName: 'Blender', version: '3.4.1', executable: silent }],
  });
  running = agent.run();
  const { taskId, api } = await submitSampleScene(server, root, { frames: 1, size: 64, userName: 'quiet' });

  const db = server.farm.store.db;
  let pid = 0;
  await waitUntil(
    'the node to start the silent renderer',
    async () => {
      const frame = await db
        .selectFrom('frames')
        .selectAll()
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      const records = await readdir(join(workDir, 'pids')).catch(() => [] as string[]);
      if (frame?.state !== FrameStatus.RUNNING || records.length !== 1) return false;
      pid = (
        JSON.parse(await readFile(join(workDir, 'pids', records[0] as string), 'utf8')) as { pid: number }
      ).pid;
      return groupAlive(pid);
    },
    60_000,
  );
  // Past the first polls, so the node is in its steady busy loop.
  await new Promise((r) => setTimeout(r, 1500));

  const asked = performance.now();
  await api.task.stopTask([taskId]);
  await waitUntil('the silent renderer to be killed', async () => !groupAlive(pid), 20_000);
  const seconds = (performance.now() - asked) / 1000;
  console.log(`# silent renderer gone ${seconds.toFixed(2)} s after stopTask`);
  assert.ok(seconds < 3, `the kill took ${seconds.toFixed(2)} s`);
  await waitUntil(
    'the node to count the frame cancelled',
    async () => agent?.outcomes.cancelled === 1,
    10_000,
  );
  assert.equal(agent.outcomes.done, 0);
});
