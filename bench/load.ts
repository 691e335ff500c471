/**
 * Load: many signed clients at once against a real `openfarm server` process
 * on loopback, with a mix of reads (queryTaskInfo, the task list, a task's
 * frames, the user profile) and task creation (createTask + taskJsonFile +
 * submit of a 3-frame task). Prints requests/s, p50/p99 latency (all and per
 * call), errors by code, and the server's RSS before, at its peak and a few
 * seconds after the run. Goal: 0 errors; RSS after within 20 % of before.
 * Peer in the same run: the same clients calling `GET /healthz` (no
 * signature, one store query), the floor of the HTTP path; the ratio says
 * what the signed mix costs on top of it.
 *
 * Bounded and local: the server listens on 127.0.0.1 (port 0), every request
 * has a timeout, the run stops by itself, and the server (and PostgreSQL, if
 * asked for) is stopped by PID and its temp folder removed.
 *
 * OPENFARM_BENCH_LOAD_SECONDS (30), OPENFARM_BENCH_LOAD_CLIENTS (200),
 * OPENFARM_BENCH_LOAD_USERS (10), OPENFARM_BENCH_LOAD_STORE=postgres (a
 * throwaway PostgreSQL from scripts/test-postgres.mjs instead of SQLite).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signHeaders } from '@openfarm/protocol';
import { createUser, openFarmStore } from '@openfarm/server';

const SECONDS = Number(process.env.OPENFARM_BENCH_LOAD_SECONDS ?? 30);
const CLIENTS = Number(process.env.OPENFARM_BENCH_LOAD_CLIENTS ?? 200);
const USERS = Number(process.env.OPENFARM_BENCH_LOAD_USERS ?? 10);
const STORE = process.env.OPENFARM_BENCH_LOAD_STORE === 'postgres' ? 'postgres' : 'sqlite';
const PEER_SECONDS = Math.max(3, Math.round(SECONDS / 3));
const REQUEST_TIMEOUT_MS = 30_000;
const SETTLE_MS = 5_000;

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const ENTRY = "import { run } from 'openfarm'; await run(['node', 'openfarm', ...process.argv.slice(1)]);";
const NODE_ARGS = ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', ENTRY];

interface User {
  accessId: string;
  accessKey: string;
  taskIds: number[];
}

const dataDir = await mkdtemp(join(tmpdir(), 'openfarm-bench-load-'));
let pg: { url?: string; stop?: () => void; reason?: string } | undefined;
let server: ChildProcess | undefined;

async function cleanup(): Promise<void> {
  if (server !== undefined && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  }
  pg?.stop?.();
  await rm(dataDir, { recursive: true, force: true });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

try {
  const storeArgs: string[] = [];
  if (STORE === 'postgres') {
    // A plain-JavaScript script (typed here, whether or not a declaration file sits beside it).
    const script = '../scripts/test-postgres.mjs';
    const { startTestPostgres } = (await import(script)) as {
      startTestPostgres: () => Promise<{ url?: string; stop?: () => void; reason?: string }>;
    };
    pg = await startTestPostgres();
    if (pg?.url === undefined) throw new Error(`PostgreSQL: ${pg?.reason ?? 'not started'}`);
    storeArgs.push('--database-url', pg.url);
  }
  // The accounts, as `openfarm users add` makes them (in this process: a CLI process per user
  // costs seconds of TypeScript loading each).
  const users: User[] = [];
  const store = await openFarmStore({ dataDir, databaseUrl: pg?.url });
  try {
    for (let i = 0; i < USERS; i++) {
      const u = await createUser(store.db, `load${i}`);
      users.push({ accessId: u.accessId, accessKey: u.accessKey, taskIds: [] });
    }
  } finally {
    await store.close();
  }

  server = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      'server',
      '--data',
      dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'warn',
      ...storeArgs,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const serverPid = server.pid!;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.once('exit', (code) => reject(new Error(`openfarm server exited with ${code}`)));
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve(m[1]!);
    });
  });
  server.removeAllListeners('exit');
  const host = new URL(url).host;

  async function call(user: User, path: string, body: unknown): Promise<{ code: string; data: unknown }> {
    const headers = signHeaders({
      accessId: user.accessId,
      accessKey: user.accessKey,
      domain: host,
      path,
      body,
      platform: '2',
    });
    const res = await fetch(url + path, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const env = (await res.json()) as { code: number; data: unknown };
    return { code: env.code === 200 ? 'ok' : `code ${env.code} (HTTP ${res.status})`, data: env.data };
  }

  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let deadline = 0;
  async function timed(op: string, f: () => Promise<{ code: string; data?: unknown }>): Promise<unknown> {
    const t0 = performance.now();
    let code: string;
    let data: unknown;
    try {
      ({ code, data } = await f());
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      code = `${e.name}${e.cause?.code !== undefined ? ` ${e.cause.code}` : ''}`;
    }
    const ms = performance.now() - t0;
    if (code === 'ok') {
      const list = latencies.get(op) ?? [];
      latencies.set(op, list);
      list.push(ms);
    } else {
      errors.set(`${op}: ${code}`, (errors.get(`${op}: ${code}`) ?? 0) + 1);
    }
    return code === 'ok' ? data : undefined;
  }

  async function createAndSubmit(user: User): Promise<void> {
    const created = (await timed('createTask', () =>
      call(user, '/api/render/submit/createTask', { count: 1, taskUserLevel: 50 }),
    )) as { taskIdList?: number[] } | undefined;
    const taskId = created?.taskIdList?.[0];
    if (taskId === undefined || performance.now() > deadline) return;
    const taskJson = {
      task_info: {
        task_id: String(taskId),
        cg_id: '2007',
        input_cg_file: 'D:/load/shot.blend',
        platform: '2',
      },
      software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
      scene_info: { common: { frames: '1-3[1]', scene_name: ['Scene'], camera_name: 'Camera' } },
    };
    await timed('taskJsonFile', () =>
      call(user, '/api/render/submit/taskJsonFile', {
        taskId,
        fileName: 'task.json',
        content: JSON.stringify(taskJson),
      }),
    );
    await timed('submitTask', () => call(user, '/api/render/submit/task', { taskId }));
    user.taskIds.push(taskId);
  }

  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

  async function mixedClient(user: User): Promise<void> {
    while (performance.now() < deadline) {
      const r = Math.random();
      const taskId = pick(user.taskIds);
      if (r < 0.3) {
        await timed('queryTaskInfo', () =>
          call(user, '/api/render/handle/queryTaskInfo/v2', { taskIds: [taskId] }),
        );
      } else if (r < 0.55) {
        await timed('getTaskList', () =>
          call(user, '/api/render/handle/getTaskList/v2', { pageNum: 1, pageSize: 20 }),
        );
      } else if (r < 0.75) {
        await timed('taskFrames', () =>
          call(user, '/api/render/handle/queryTaskFrames', { taskId, pageNum: 1, pageSize: 50 }),
        );
      } else if (r < 0.9) {
        await timed('queryUserProfile', () => call(user, '/api/render/setUp/queryUserProfile', {}));
      } else {
        await createAndSubmit(user);
      }
    }
  }

  // Every user starts with a few tasks, so the reads have something to read.
  deadline = Number.POSITIVE_INFINITY;
  for (const u of users) for (let i = 0; i < 3; i++) await createAndSubmit(u);
  latencies.clear();
  errors.clear();

  // Peer: the same clients on the unsigned health check.
  let peerCount = 0;
  deadline = performance.now() + PEER_SECONDS * 1000;
  const peerStart = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        await timed('healthz', async () => {
          const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
          await res.text();
          return { code: res.status === 200 ? 'ok' : `HTTP ${res.status}` };
        });
        peerCount++;
      }
    }),
  );
  const peerRate = peerCount / ((performance.now() - peerStart) / 1000);
  const healthz = [...(latencies.get('healthz') ?? [])].sort((a, b) => a - b);
  latencies.clear();
  const peerErrors = [...errors.entries()];
  errors.clear();

  await new Promise((r) => setTimeout(r, 2000));
  const rssBefore = rssMb(serverPid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMb(serverPid));
  }, 500);
  const loadBefore = loadavg()[0]!;

  deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => mixedClient(users[i % users.length]!)));
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const loadAfter = loadavg()[0]!;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rssAfter = rssMb(serverPid);

  const all = [...latencies.values()].flat().sort((a, b) => a - b);
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  const rate = (all.length + errorCount) / elapsed;
  console.log(
    `store: ${STORE}; ${CLIENTS} signed clients of ${USERS} users for ${elapsed.toFixed(1)} s ` +
      `(1-min load average of the machine ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after)`,
  );
  console.log(
    `requests: ${all.length + errorCount} = ${rate.toFixed(0)} req/s; ` +
      `latency p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms`,
  );
  for (const [op, list] of [...latencies.entries()].sort()) {
    list.sort((a, b) => a - b);
    console.log(
      `  ${op.padEnd(17)} ${String(list.length).padStart(7)}  p50 ${percentile(list, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(list, 99).toFixed(1).padStart(7)} ms`,
    );
  }
  console.log(
    `errors: ${errorCount}${errorCount > 0 ? ` (${[...errors.entries()].map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''} (goal 0)`,
  );
  const growth = (rssAfter - rssBefore) / rssBefore;
  console.log(
    `server RSS: ${rssBefore.toFixed(0)} MB before, ${rssPeak.toFixed(0)} MB peak, ${rssAfter.toFixed(0)} MB ` +
      `${SETTLE_MS / 1000} s after (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)} %; goal within 20 %)`,
  );
  console.log(
    `peer (GET /healthz, same clients, ${PEER_SECONDS} s): ${peerRate.toFixed(0)} req/s, ` +
      `p50 ${percentile(healthz, 50).toFixed(1)} ms, p99 ${percentile(healthz, 99).toFixed(1)} ms` +
      `${peerErrors.length > 0 ? `, errors ${peerErrors.map(([k, v]) => `${k} ×${v}`).join(', ')}` : ''}`,
  );
  console.log(`signed mix / peer: ${(rate / peerRate).toFixed(2)}`);
  if (errorCount > 0 || growth > 0.2) process.exitCode = 1;
} finally {
  await cleanup();
}
