/**
 * Dispatch throughput: no-op frames leased and completed per second on the
 * embedded store (SQLite), with 8 node loops driving the scheduler in process
 * (the HTTP layer is measured separately by the server's own benchmarks).
 * Goal: ≥ 1000 frames/s. Peer in the same run: the floor any SQL-backed
 * queue pays — two bare single-row state changes per frame (waiting → running
 * → done) through the same store and indexes, nothing else. The ratio says how
 * close the scheduler (ordering, matching, fencing, status, events) comes to it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signHeaders } from '@openfarm/protocol';
import {
  createServer,
  createUser,
  createWorker,
  nodeOf,
  recordRegistration,
  type Scheduler,
  type SchedulerNode,
  schedulerPlugin,
} from '@openfarm/server';
import { sql } from 'kysely';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 5000);
const LOOPS = 8;
const TASKS = 10;

const dataDir = await mkdtemp(join(tmpdir(), 'openfarm-bench-dispatch-'));
let scheduler: Scheduler | undefined;
const server = await createServer({
  dataDir,
  logLevel: 'silent',
  plugins: [schedulerPlugin({ onScheduler: (s) => (scheduler = s) })],
});
await server.app.listen({ host: '127.0.0.1', port: 0 });
const address = server.app.server.address();
const host = typeof address === 'object' && address !== null ? `127.0.0.1:${address.port}` : '';
const db = server.farm.store.db;
const user = await createUser(server.farm.store.db, 'bench');

async function call(path: string, body: unknown): Promise<unknown> {
  const headers = signHeaders({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: host,
    path,
    body,
    platform: '2',
  });
  const res = await fetch(`http://${host}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const env = (await res.json()) as { code: number; data: unknown; message: string };
  if (env.code !== 200) throw new Error(`${path}: ${env.code} ${env.message}`);
  return env.data;
}

for (let t = 0; t < TASKS; t++) {
  const { taskIdList } = (await call('/api/render/submit/createTask', { count: 1, taskUserLevel: 50 })) as {
    taskIdList: number[];
  };
  const taskId = taskIdList[0]!;
  const taskJson = {
    task_info: {
      task_id: String(taskId),
      cg_id: '2007',
      input_cg_file: 'D:/bench/shot.blend',
      platform: '2',
    },
    software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
    scene_info: { common: { frames: `1-${FRAMES / TASKS}[1]`, scene_name: ['Scene'] } },
  };
  await call('/api/render/submit/taskJsonFile', {
    taskId,
    fileName: 'task.json',
    content: JSON.stringify(taskJson),
  });
  await call('/api/render/submit/task', { taskId });
}

const nodes: SchedulerNode[] = [];
for (let i = 0; i < LOOPS; i++) {
  const w = await createWorker(db, `bench-${i}`);
  await recordRegistration(db, w.id, {
    os: 'linux',
    cores: 1,
    ramMb: 1024,
    gpus: 0,
    slots: 1,
    platform: null,
    renderers: [{ cgName: 'Blender', version: '3.4.1' }],
    hardwareConfigIds: [],
    agentVersion: 'bench',
  });
  nodes.push(
    nodeOf(await db.selectFrom('workers').selectAll().where('id', '=', w.id).executeTakeFirstOrThrow()),
  );
}

let done = 0;
const started = process.hrtime.bigint();
await Promise.all(
  nodes.map(async (node) => {
    while (done < FRAMES) {
      const { leases } = await scheduler!.poll(node, { running: [], freeSlots: 1, waitMs: 0 });
      if (leases.length === 0) break;
      for (const l of leases) if (await scheduler!.complete(node, l)) done++;
    }
  }),
);
const farmSeconds = Number(process.hrtime.bigint() - started) / 1e9;

// Peer: two bare state changes per frame on the same rows and indexes.
const ids = (await db.selectFrom('frames').select('id').execute()).map((r) => r.id);
const peerStart = process.hrtime.bigint();
for (const id of ids) {
  await sql`update frames set state = 2, updated_at = ${id} where id = ${id}`.execute(db);
  await sql`update frames set state = 4, updated_at = ${id} where id = ${id}`.execute(db);
}
const peerSeconds = Number(process.hrtime.bigint() - peerStart) / 1e9;

await server.close();
await rm(dataDir, { recursive: true, force: true });

const rate = done / farmSeconds;
console.log(
  `frames leased+completed: ${done} in ${farmSeconds.toFixed(2)} s = ${rate.toFixed(0)} frames/s (goal ≥ 1000)`,
);
const peerRate = ids.length / peerSeconds;
console.log(`peer (2 bare state changes per frame): ${peerRate.toFixed(0)} frames/s`);
console.log(`scheduler / peer: ${(rate / peerRate).toFixed(2)}`);
if (done !== FRAMES) {
  console.error(`only ${done} of ${FRAMES} frames completed`);
  process.exit(1);
}
