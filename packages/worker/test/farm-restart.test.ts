/**
 * The farm goes away while a node renders, and comes back on the same data
 * and port after the frame has finished: the node holds the finished frame
 * and reports it (outputs, thumbnail, complete) once the farm answers again,
 * instead of throwing the render away to have it rendered a second time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FrameStatus } from '@openfarm/protocol';
import { createWorker, type RunningFarmServer } from '@openfarm/server';
import { Agent, groupAlive } from '@openfarm/worker';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

const POLICY = { leaseTtlMs: 60_000, reapIntervalMs: 200, maxPollMs: 500 };

let root: string | undefined;
let server: RunningFarmServer | undefined;
let agent: Agent | undefined;
let running: Promise<void> | undefined;

after(async () => {
  await agent?.stop();
  await running?.catch(() => undefined);
  if (server !== undefined) await closeFarm(server);
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

test('a frame that ends while the farm is down is reported when it is back, not rendered again', {
  skip: requireProgram('blender'),
  timeout: 180_000,
}, async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-farm-restart-'));
  const dataDir = join(root, 'farm');
  server = await startFarm(dataDir, POLICY);
  const port = Number(new URL(server.url).port);
  const w = await createWorker(server.farm.store.db, 'steady');
  const workDir = join(root, 'node');
  agent = await Agent.create({ server: server.url, token: w.token, workDir, threads: 1 });
  running = agent.run();
  const { taskId } = await submitSampleScene(server, root, { frames: 1, size: 1024, userName: 'restart' });

  let pid = 0;
  let attempt = -1;
  const frameOf = (s: RunningFarmServer) =>
    s.farm.store.db.selectFrom('frames').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  await waitUntil(
    'the node to start Blender',
    async () => {
      const frame = await frameOf(server as RunningFarmServer);
      const records = await readdir(join(workDir, 'pids')).catch(() => [] as string[]);
      if (frame?.state !== FrameStatus.RUNNING || records.length !== 1) return false;
      attempt = frame.attempt;
      pid = (
        JSON.parse(await readFile(join(workDir, 'pids', records[0] as string), 'utf8')) as { pid: number }
      ).pid;
      return groupAlive(pid);
    },
    60_000,
  );

  await closeFarm(server);
  server = undefined;
  assert.ok(groupAlive(pid), 'Blender was still rendering when the farm went away');
  await waitUntil('Blender to finish the frame', async () => !groupAlive(pid), 120_000);
  // The node has tried to report by now and is waiting to try again.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(agent.outcomes.done, 0);

  server = await startFarm(dataDir, POLICY, port);
  const back = server;
  await waitUntil(
    'the frame to be reported done',
    async () => (await frameOf(back))?.state === FrameStatus.DONE,
    60_000,
  );
  const frame = await frameOf(back);
  assert.equal(frame?.attempt, attempt, 'rendered once: the same attempt finished');
  // The node counts the frame once the farm's answer is in, a moment after the farm's own record.
  await waitUntil('the node to count the frame done', async () => agent?.outcomes.done === 1, 10_000);
  assert.ok(frame?.thumbnail_path, 'its thumbnail arrived too');
});
