/**
 * Several servers, one farm: two `openfarm server` processes on one PostgreSQL
 * database with their blobs in one Ceph RGW bucket, three render-node loops
 * that talk to whichever server answers (as behind a load balancer), 200 no-op
 * frames, and one server killed with SIGKILL midway. Every frame must be done
 * exactly once, the task's counters must equal its frame rows, and a
 * resumable upload begun through the killed server must finish through the
 * other. The renderer is a no-op on purpose: this is a test of scheduling and
 * state sharing; the Blender render through two servers is in the worker's tests.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FrameStatus, NODE_PATHS, signHeaders, TaskStatus, TRANSFER_PATHS } from '@openfarm/protocol';
import pg from 'pg';
// @ts-expect-error: a plain script without type declarations; its answer is typed below (Postgres).
import { startTestPostgres } from '../../../scripts/test-postgres.mjs';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { runInProcess, spawnCli } from './cli-runner.js';

const FRAMES = 200;
const LOOPS = 3;

interface Postgres {
  url: string;
  stop(): void;
}

/** The runner's PostgreSQL when it set one, else one of our own; undefined (with why) when there is none. */
async function postgres(): Promise<Postgres | { reason: string }> {
  const shared = process.env.OPENFARM_TEST_POSTGRES_URL;
  if (shared) return { url: shared, stop() {} };
  const own = (await startTestPostgres()) as Postgres | { reason: string };
  return own;
}

const pgServer = await postgres();
const skipPg = 'reason' in pgServer ? requireProgram('postgres', { found: false }) : false;
const rgw = skipPg ? undefined : await rgwForTestFile();

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Start `openfarm server` and resolve with its URL once it listens. */
function startServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnCli(['server', '--port', '0', '--log-level', 'warn', ...args], env);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+?) /.exec(out);
      if (m !== null) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`openfarm server exited (${code}): ${out}${err}`)));
  });
}

interface User {
  accessId: string;
  accessKey: string;
}

/** A signed call, as the SDK makes it. */
async function call<T>(base: string, user: User, path: string, body: unknown): Promise<T> {
  const headers = signHeaders({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: new URL(base).host,
    path,
    body,
    platform: '2',
  });
  const res = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const env = (await res.json()) as { code: number; message: string; data: T };
  if (env.code !== 200) throw new Error(`${path}: ${env.code} ${env.message}`);
  return env.data;
}

async function putChunk(base: string, token: string, uploadId: string, offset: number, bytes: Buffer) {
  const path = TRANSFER_PATHS.uploadChunk.replace(':uploadId', uploadId).replace(':offset', String(offset));
  const res = await fetch(base + path, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  const env = (await res.json()) as { code: number; message: string; data: { offset: number } };
  if (env.code !== 200) throw new Error(`chunk at ${offset}: ${env.code} ${env.message}`);
  return env.data.offset;
}

test('2 servers on one PostgreSQL and RGW, 3 node loops, one server killed: every frame done once', async (t) => {
  if ('reason' in pgServer) return t.skip(skipPg || pgServer.reason);
  if (rgw === undefined || rgw.endpoint === undefined) return t.skip(rgw?.skip);
  cleanups.push(
    () => pgServer.stop(),
    () => rgw.stop(),
  );
  const root = await mkdtemp(join(tmpdir(), 'openfarm-two-servers-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));

  // A database of its own on the PostgreSQL server.
  const dbName = `openfarm_two_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgServer.url });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const dbUrl = new URL(pgServer.url);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: pgServer.url });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  });

  // The deployment guide's commands: migrate once, then start each server with the same flags.
  const storage = `s3://farm/blobs?endpoint=${encodeURIComponent(rgw.endpoint)}&region=${rgw.region}&forcePathStyle=true`;
  const env = {
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    OPENFARM_DATABASE_URL: databaseUrl,
  };
  const migrated = await runInProcess(['migrate', '--data', join(root, 'migrate')], env);
  assert.equal(migrated.status, 0, migrated.stderr);
  const user = JSON.parse(
    (await runInProcess(['users', 'add', 'artist', '--json', '--data', join(root, 'migrate')], env)).stdout,
  ) as User;
  const nodeTokens: string[] = [];
  for (let i = 0; i < LOOPS; i++) {
    const r = await runInProcess(
      ['workers', 'add', `node-${i}`, '--json', '--data', join(root, 'migrate')],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    nodeTokens.push((JSON.parse(r.stdout) as { token: string }).token);
  }
  const servers = await Promise.all(
    // A short lease: a frame whose lease answer the killed server never sent is handed out again soon.
    ['a', 'b'].map((n) =>
      startServer(['--data', join(root, n), '--storage', storage, '--lease-ttl', '3'], env),
    ),
  );
  cleanups.push(() => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  });
  const [a, b] = servers as [{ child: ChildProcess; url: string }, { child: ChildProcess; url: string }];
  let aAlive = true;

  // A resumable upload begun through server a: 6 MiB, its first 2 MiB sent there.
  const blob = randomBytes(6 * 1024 * 1024);
  const key = { sha256: createHash('sha256').update(blob).digest('hex'), size: blob.length };
  const { token } = await call<{ token: string }>(a.url, user, TRANSFER_PATHS.token, {});
  const begun = await call<{ uploadId: string; offset: number }>(a.url, user, TRANSFER_PATHS.uploads, key);
  assert.equal(begun.offset, 0);
  assert.equal(
    await putChunk(a.url, token, begun.uploadId, 0, blob.subarray(0, 2 * 1024 * 1024)),
    2 * 1024 * 1024,
  );

  // A task of 200 one-frame chunks, submitted through server b.
  const { taskIdList } = await call<{ taskIdList: number[] }>(b.url, user, '/api/render/submit/createTask', {
    count: 1,
    taskUserLevel: 50,
  });
  const taskId = taskIdList[0]!;
  const taskJson = {
    task_info: {
      task_id: String(taskId),
      cg_id: '2007',
      input_cg_file: 'D:/projects/demo/shot.blend',
      frames_per_task: '1',
      pre_frames: '000',
      stop_after_test: '2',
      job_stop_time: '259200',
      task_stop_time: '0',
      platform: '2',
    },
    software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
    scene_info: {
      common: {
        frames: `1-${FRAMES}[1]`,
        width: '64',
        height: '64',
        Render_Format: 'PNG',
        scene_name: ['Scene'],
        camera_name: 'Camera',
        Output_path: '//render/',
      },
    },
  };
  await call(b.url, user, '/api/render/submit/taskJsonFile', {
    taskId,
    fileName: 'task.json',
    content: JSON.stringify(taskJson),
  });
  await call(b.url, user, '/api/render/submit/task', { taskId });

  // The node loops: each prefers its own server and, like a load balancer, falls over to the other.
  const accepted = new Map<number, number>();
  const done = () => accepted.size + uncertain.size;
  /**
   * Completions whose request reached the killed server, which died before answering, and which the
   * other server then refused as no longer leased: done or not, the node cannot know. Checked
   * against the rows at the end (done under this lease's epoch = this completion landed).
   */
  const uncertain = new Map<number, number>();
  const nodeCall = async <T>(
    i: number,
    path: string,
    body: unknown,
    fellOver?: { yes: boolean },
  ): Promise<T> => {
    const order = i % 2 === 0 ? [a, b] : [b, a];
    let last: unknown;
    for (const s of order) {
      if (s === a && !aAlive) continue;
      if (last !== undefined && fellOver !== undefined) fellOver.yes = true;
      try {
        const res = await fetch(s.url + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${nodeTokens[i]}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const env = (await res.json()) as { code: number; message: string; data: T };
        if (env.code !== 200)
          throw Object.assign(new Error(`${path}: ${env.code} ${env.message}`), { code: env.code });
        return env.data;
      } catch (err) {
        if (
          (err as { code?: unknown }).code !== undefined &&
          typeof (err as { code?: unknown }).code === 'number'
        )
          throw err;
        last = err; // the server is gone: try the other
      }
    }
    throw last;
  };
  const loop = async (i: number): Promise<void> => {
    await nodeCall(i, NODE_PATHS.register, {
      os: 'linux',
      cores: 1,
      ramMb: 1024,
      slots: 2,
      renderers: [{ cgName: 'Blender', version: '3.4.1' }],
    });
    let idle = 0;
    // Idle polls end the loop only well after a lost lease (3 s) was reaped and handed out again.
    while (done() < FRAMES && idle < 100) {
      const { leases } = await nodeCall<{ leases: Array<{ frameId: number; epoch: number }> }>(
        i,
        NODE_PATHS.poll,
        { running: [], freeSlots: 2, waitMs: 200 },
      );
      if (leases.length === 0) {
        idle++;
        continue;
      }
      idle = 0;
      for (const l of leases) {
        const fellOver = { yes: false };
        try {
          await nodeCall(i, NODE_PATHS.complete, { frameId: l.frameId, epoch: l.epoch }, fellOver);
          accepted.set(l.frameId, (accepted.get(l.frameId) ?? 0) + 1);
        } catch (err) {
          // A lease the farm took back (7006) is not a completion; anything else is a failure.
          if ((err as { code?: number }).code !== 7006) throw err;
          if (fellOver.yes) uncertain.set(l.frameId, l.epoch);
        }
      }
    }
  };
  const killer = (async () => {
    while (done() < FRAMES / 3) await new Promise((r) => setTimeout(r, 20));
    a.child.kill('SIGKILL');
    aAlive = false;
  })();
  const started = Date.now();
  await Promise.all([...Array.from({ length: LOOPS }, (_, i) => loop(i)), killer]);
  t.diagnostic(`${FRAMES} frames in ${Date.now() - started} ms`);
  assert.equal(aAlive, false);

  // The upload begun through a is continued and completed through b.
  const resumed = await call<{ uploadId: string; offset: number }>(b.url, user, TRANSFER_PATHS.uploads, key);
  assert.equal(resumed.uploadId, begun.uploadId);
  assert.equal(resumed.offset, 2 * 1024 * 1024, 'b sees the bytes sent through a');
  assert.equal(
    await putChunk(b.url, token, resumed.uploadId, resumed.offset, blob.subarray(resumed.offset)),
    blob.length,
  );
  assert.deepEqual(
    await call(b.url, user, TRANSFER_PATHS.uploadComplete, { uploadId: resumed.uploadId }),
    key,
  );
  // A completion repeated (its answer lost) gets the same answer.
  assert.deepEqual(
    await call(b.url, user, TRANSFER_PATHS.uploadComplete, { uploadId: resumed.uploadId }),
    key,
  );

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    for (const [frameId, epoch] of uncertain) {
      const r = await db.query<{ state: number; lease_epoch: string }>(
        'select state, lease_epoch from frames where id = $1',
        [frameId],
      );
      // Landed through the dying server: done, and never leased again after this lease.
      if (r.rows[0]?.state === FrameStatus.DONE && Number(r.rows[0].lease_epoch) === epoch)
        accepted.set(frameId, (accepted.get(frameId) ?? 0) + 1);
    }
    const duplicates = [...accepted.entries()].filter(([, n]) => n !== 1);
    assert.deepEqual(duplicates, [], 'no frame was completed twice');
    assert.equal(accepted.size, FRAMES, 'every frame completed');
    t.diagnostic(`completions whose answer the killed server never sent: ${uncertain.size}`);
    const rows = await db.query<{ state: number; n: string }>(
      'select state, count(*) as n from frames where task_id = $1 group by state',
      [taskId],
    );
    assert.deepEqual(
      rows.rows.map((r) => [r.state, Number(r.n)]),
      [[FrameStatus.DONE, FRAMES]],
    );
    const task = await db.query<{ status: number }>('select status from tasks where id = $1', [taskId]);
    assert.equal(task.rows[0]?.status, TaskStatus.FINISHED);
  } finally {
    await db.end();
  }
  const info = await call<{ items: Array<{ totalFrames: number; doneFrames: number }> }>(
    b.url,
    user,
    '/api/render/handle/queryTaskInfo/v2',
    { taskIds: [taskId] },
  );
  assert.equal(info.items[0]?.totalFrames, FRAMES);
  assert.equal(info.items[0]?.doneFrames, FRAMES);
});
