/**
 * Dispatch throughput: no-op frames leased and completed per second on the
 * embedded store (SQLite), with 8 node loops of 4 slots each driving the scheduler in process
 * (the HTTP layer is measured separately by the server's own benchmarks).
 * Goal: ≥ 1000 frames/s. Peer in the same run: the floor any SQL-backed
 * queue pays — two bare single-row state changes per frame (waiting → running
 * → done) through the same store and indexes, nothing else. The ratio says how
 * close the scheduler (ordering, matching, fencing, status, events) comes to it.
 *
 * Options (environment):
 * - BENCH_STORE=postgres: a throwaway PostgreSQL (scripts/test-postgres.mjs, or the server
 *   OPENFARM_TEST_POSTGRES_URL names) instead of SQLite;
 * - BENCH_SERVERS=2: two servers on that one database, each with its scheduler (and reaper), the
 *   node loops split between them (PostgreSQL only: SQLite is one process's file);
 * - BENCH_QUEUED=N: N more frames wait in lower-priority tasks the whole time (submitted through
 *   the API, 100,000 frames a task at most, the most one frame range expands to), so the rate is
 *   measured with a queue of BENCH_FRAMES + N frames;
 * - BENCH_SLOTS=N (default 4): each node loop is a node with N slots: it asks for N frames in one
 *   poll and reports their completions together, as a node's slots do when their frames end
 *   close together. BENCH_SLOTS=1 is the one-frame-per-poll loop of the earlier figures.
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
  openPostgresStore,
  recordRegistration,
  type Scheduler,
  type SchedulerNode,
  schedulerPlugin,
} from '@openfarm/server';
import { sql } from 'kysely';
import pg from 'pg';
// @ts-expect-error: a plain-JavaScript script without type declarations
import { startTestPostgres } from '../scripts/test-postgres.mjs';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 5000);
const LOOPS = 8;
const TASKS = 10;
const STORE = process.env.BENCH_STORE === 'postgres' ? 'postgres' : 'sqlite';
const SERVERS = Number(process.env.BENCH_SERVERS ?? 1);
const QUEUED = Number(process.env.BENCH_QUEUED ?? 0);
const SLOTS = Math.max(1, Number(process.env.BENCH_SLOTS ?? 4));
const QUEUE_TASK_FRAMES = 100_000; // the most one frame range may expand to (DEFAULT_MAX_FRAMES)
if (SERVERS > 1 && STORE !== 'postgres') throw new Error('BENCH_SERVERS > 1 needs BENCH_STORE=postgres');

const dataDir = await mkdtemp(join(tmpdir(), 'openfarm-bench-dispatch-'));
let databaseUrl: string | undefined;
let stopPostgres = (): void => {};
if (STORE === 'postgres') {
  const shared = process.env.OPENFARM_TEST_POSTGRES_URL;
  const started = (shared ? { url: shared, stop() {} } : await startTestPostgres()) as
    | { url: string; stop(): void }
    | { reason: string };
  if ('reason' in started) throw new Error(started.reason);
  stopPostgres = () => started.stop();
  const name = `openfarm_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: started.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(started.url);
  u.pathname = `/${name}`;
  databaseUrl = u.toString();
}
const schedulers: Scheduler[] = [];
const extraServers: Array<{ close(): Promise<void> }> = [];
const open = (i: number) =>
  createServer({
    dataDir: join(dataDir, `server-${i}`),
    logLevel: 'silent',
    ...(databaseUrl !== undefined ? { store: openPostgresStore(databaseUrl, 10) } : {}),
    plugins: [schedulerPlugin({ onScheduler: (s) => schedulers.push(s) })],
  });
const server = await open(0);
for (let i = 1; i < SERVERS; i++) extraServers.push(await open(i));
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

if (QUEUED > 0) {
  // The queue behind: tasks below the measured ones in priority, at most 100,000 frames each (the
  // most one frame range may expand to), so 1,000,000 queued is ten ordinary submits through the API.
  const before = Date.now();
  const queueTasks: number[] = [];
  for (let left = QUEUED; left > 0; left -= QUEUE_TASK_FRAMES) {
    const n = Math.min(left, QUEUE_TASK_FRAMES);
    const { taskIdList } = (await call('/api/render/submit/createTask', { count: 1, taskUserLevel: 10 })) as {
      taskIdList: number[];
    };
    const taskId = taskIdList[0]!;
    await call('/api/render/submit/taskJsonFile', {
      taskId,
      fileName: 'task.json',
      content: JSON.stringify({
        task_info: {
          task_id: String(taskId),
          cg_id: '2007',
          input_cg_file: 'D:/bench/q.blend',
          platform: '2',
        },
        software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
        scene_info: { common: { frames: `1-${n}[1]`, scene_name: ['Scene'] } },
      }),
    });
    await call('/api/render/submit/task', { taskId });
    queueTasks.push(taskId);
  }
  // A large submit writes its frames in the background: wait until all are there.
  for (;;) {
    const r = await db
      .selectFrom('frames')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('task_id', 'in', queueTasks)
      .executeTakeFirstOrThrow();
    if (Number(r.n) >= QUEUED) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(
    `queued ${QUEUED} more frames (${queueTasks.length} tasks) in ${((Date.now() - before) / 1000).toFixed(1)} s`,
  );
}

const nodes: SchedulerNode[] = [];
for (let i = 0; i < LOOPS; i++) {
  const w = await createWorker(db, `bench-${i}`);
  await recordRegistration(db, w.id, {
    os: 'linux',
    cores: 1,
    ramMb: 1024,
    gpus: 0,
    slots: SLOTS,
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
  nodes.map(async (node, i) => {
    // The loops take turns between the servers' schedulers, as behind a load balancer.
    const scheduler = schedulers[i % schedulers.length]!;
    while (done < FRAMES) {
      const { leases } = await scheduler.poll(node, { running: [], freeSlots: SLOTS, waitMs: 0 });
      if (leases.length === 0) break;
      const ok = await Promise.all(leases.map((l) => scheduler.complete(node, l)));
      done += ok.filter(Boolean).length;
    }
  }),
);
const farmSeconds = Number(process.hrtime.bigint() - started) / 1e9;

// Peer: two bare state changes per frame on the same rows and indexes (the measured frames only).
const ids = (await db.selectFrom('frames').select('id').orderBy('id').limit(FRAMES).execute()).map(
  (r) => r.id,
);
const peerStart = process.hrtime.bigint();
for (const id of ids) {
  await sql`update frames set state = 2, updated_at = ${id} where id = ${id}`.execute(db);
  await sql`update frames set state = 4, updated_at = ${id} where id = ${id}`.execute(db);
}
const peerSeconds = Number(process.hrtime.bigint() - peerStart) / 1e9;

for (const s of extraServers) await s.close();
await server.close();
stopPostgres();
await rm(dataDir, { recursive: true, force: true });

const rate = done / farmSeconds;
console.log(
  `store: ${STORE}, servers: ${SERVERS}, queued behind: ${QUEUED}, node loops: ${LOOPS} × ${SLOTS} slots`,
);
console.log(
  `frames leased+completed: ${done} in ${farmSeconds.toFixed(2)} s = ${rate.toFixed(0)} frames/s (goal ≥ 1000)`,
);
const peerRate = ids.length / peerSeconds;
console.log(`peer (2 bare state changes per frame): ${peerRate.toFixed(0)} frames/s`);
console.log(`scheduler / peer: ${(rate / peerRate).toFixed(2)}`);
// With a queue behind, loops finishing together may take a few of its frames too.
if (done < FRAMES || (QUEUED === 0 && done !== FRAMES)) {
  console.error(`only ${done} of ${FRAMES} frames completed`);
  process.exit(1);
}
