/**
 * Dashboard pages on the embedded store (SQLite): a farm with 1,000 tasks of
 * 10 frames and one task of 10,000 frames; the server time of the task list
 * (first page of 50) and of the big task's detail page (first 200 frames,
 * outputs, log frame), and the bytes each sends. Goal: each under 100 ms, and
 * a list page whose size does not grow with the number of tasks (it is
 * measured again with 100 tasks). Peer in the same run: the signed JSON calls
 * behind the same data, getTaskList (50 tasks) and taskFrames (200 frames).
 *
 * Requests go through fastify's inject: no sockets, so the time is the
 * server's (routing, auth, queries, rendering). Figures are medians of
 * BENCH_REPEAT (default 30) requests after 3 warm-up ones, with min–max.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameStatus, signHeaders } from '@openfarm/protocol';
import { createUser, type FarmServer } from '@openfarm/server';
import { createDashboardFarm, seedTask, sessionCookieOf } from '../packages/web/test/dashboard-support.js';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 30);
const HOST = '127.0.0.1:7200';

/** A frame state mix of a task in progress: mostly done, some failed, a few rendering. */
function states(n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const r = i % 20;
    if (r < 12) return FrameStatus.DONE;
    if (r < 13) return FrameStatus.FAILED;
    if (r < 14) return FrameStatus.RUNNING;
    return FrameStatus.WAITING;
  });
}

interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  bytes: number;
}

async function measure(
  server: FarmServer,
  request: () => Promise<{ statusCode: number; rawPayload: Buffer }>,
): Promise<Timing> {
  let bytes = 0;
  for (let i = 0; i < 3; i++) await request();
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const start = process.hrtime.bigint();
    const res = await request();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (res.statusCode !== 200)
      throw new Error(`status ${res.statusCode}: ${res.rawPayload.toString().slice(0, 300)}`);
    bytes = res.rawPayload.length;
  }
  void server;
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)]!,
    minMs: times[0]!,
    maxMs: times[times.length - 1]!,
    bytes,
  };
}

const show = (t: Timing) =>
  `${t.medianMs.toFixed(1)} ms (${t.minMs.toFixed(1)}–${t.maxMs.toFixed(1)}), ${(t.bytes / 1024).toFixed(1)} KiB`;

async function farmWith(tasks: number): Promise<{
  server: FarmServer;
  dir: string;
  list: () => Promise<Timing>;
  detail: () => Promise<Timing>;
  peerList: () => Promise<Timing>;
  peerFrames: () => Promise<Timing>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-bench-dashboard-'));
  const server = await createDashboardFarm(join(dir, 'farm'));
  const db = server.farm.store.db;
  const user = await createUser(db, 'artist');
  const started = Date.now();
  const big = await seedTask(db, user.userId, {
    scene: 'big.blend',
    project: 'bench',
    status: 5,
    frames: states(10_000),
  });
  for (let i = 0; i < tasks; i++)
    await seedTask(db, user.userId, {
      scene: `shot_${i}.blend`,
      project: `p${i % 7}`,
      status: i % 3 === 0 ? 25 : 5,
      frames: states(10),
    });
  process.stdout.write(
    `  seeded ${tasks} tasks + 1 of 10,000 frames in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const login = await server.app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ accessId: user.accessId, accessKey: user.accessKey }).toString(),
  });
  const cookie = sessionCookieOf(login.headers['set-cookie']);
  const page = (url: string) => () =>
    server.app.inject({ method: 'GET', url, headers: { host: HOST, cookie } });
  const signed = (path: string, body: unknown) => () =>
    server.app.inject({
      method: 'POST',
      url: path,
      headers: {
        host: HOST,
        ...signHeaders({
          accessId: user.accessId,
          accessKey: user.accessKey,
          domain: HOST,
          path,
          body,
          platform: '2',
        }),
      },
      payload: JSON.stringify(body),
    });
  return {
    server,
    dir,
    list: () => measure(server, page('/tasks')),
    detail: () => measure(server, page(`/tasks/${big}`)),
    peerList: () =>
      measure(server, signed('/api/render/handle/getTaskList/v2', { pageNum: 1, pageSize: 50 })),
    peerFrames: () =>
      measure(
        server,
        signed('/api/render/handle/queryTaskFrames', { taskId: big, pageNum: 1, pageSize: 200 }),
      ),
  };
}

const small = await farmWith(100);
const smallList = await small.list();
await small.server.close();
await rm(small.dir, { recursive: true, force: true });

const farm = await farmWith(1000);
const list = await farm.list();
const detail = await farm.detail();
const peerList = await farm.peerList();
const peerFrames = await farm.peerFrames();
await farm.server.close();
await rm(farm.dir, { recursive: true, force: true });

console.log(`task list, 1,000 tasks (page of 50):      ${show(list)}`);
console.log(`task list, 100 tasks (page of 50):        ${show(smallList)}`);
console.log(`task detail, 10,000 frames (200 shown):   ${show(detail)}`);
console.log(`peer getTaskList (50 tasks, JSON):        ${show(peerList)}`);
console.log(`peer taskFrames (200 frames, JSON):       ${show(peerFrames)}`);
console.log(`ratio list / getTaskList:                 ${(list.medianMs / peerList.medianMs).toFixed(2)}`);
console.log(
  `ratio detail / taskFrames:                ${(detail.medianMs / peerFrames.medianMs).toFixed(2)}`,
);
console.log(`list bytes, 1,000 vs 100 tasks:           ${(list.bytes / smallList.bytes).toFixed(2)}×`);
const met = list.medianMs < 100 && detail.medianMs < 100 && list.bytes / smallList.bytes < 1.1;
console.log(`goal (each < 100 ms, list size flat):     ${met ? 'met' : 'NOT met'}`);
