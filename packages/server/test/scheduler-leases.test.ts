/**
 * Leases with fencing over the real node API: epochs, stale reports refused,
 * the reaper, order, matching, chunking, and the farm's actions cancelling
 * running frames.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, FrameType, TaskStatus } from '@openfarm/protocol';
import { createWorker } from '@openfarm/server';
import { sql } from 'kysely';
import {
  frameRows,
  type NodeClient,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
  taskStatus,
  waitFor,
} from './scheduler-support.js';

describe('scheduler leases', () => {
  let f: SchedulerFarm;
  before(async () => {
    f = await startSchedulerFarm({ leaseTtlMs: 1500, reapIntervalMs: 100, maxPollMs: 400 });
  });
  after(() => f.close());

  test('a lease carries an epoch; a stale or repeated report is refused with 7006', async () => {
    const taskId = await submitTask(f.user, { frames: '1-2[1]' });
    const a = await f.node('lease-a');
    const { leases } = await a.poll();
    assert.equal(leases.length, 1);
    const l = leases[0]!;
    assert.equal(l.job.taskId, taskId);
    assert.deepEqual(l.frameNumbers, [1]);
    assert.equal(l.attempt, 1);
    const stale = await a.complete({ frameId: l.frameId, epoch: l.epoch - 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.code, 7006);
    assert.equal((await a.progress(l, 0.5)).code, 200);
    assert.equal((await a.complete(l)).code, 200);
    assert.equal((await a.complete(l)).code, 7006, 'a frame is completed once');
    assert.equal(await taskStatus(f, taskId), TaskStatus.RENDERING);
    const second = (await a.poll()).leases[0]!;
    assert.equal((await a.complete(second)).code, 200);
    await waitFor('task finished', async () => (await taskStatus(f, taskId)) === TaskStatus.FINISHED);
    const rows = await frameRows(f, taskId);
    assert.deepEqual(
      rows.map((r) => r.state),
      [FrameStatus.DONE, FrameStatus.DONE],
    );
  });

  test('nodes polling at once each lease a different frame; none is leased twice or skipped', async () => {
    // On PostgreSQL these polls run side by side on the pool's connections:
    // the claim's row lock (SKIP LOCKED) must send each to a different frame,
    // and a node must not come back empty while a frame is free.
    const NODES = 12;
    const ROUNDS = 4;
    const taskId = await submitTask(f.user, { frames: `1-${NODES * ROUNDS}[1]` });
    const nodes: NodeClient[] = [];
    for (let i = 0; i < NODES; i++) nodes.push(await f.node(`race-${i}`));
    const leased = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(nodes.map((n) => n.poll([], 1, 0)));
      const held = answers.map((a, i) => {
        assert.equal(a.leases.length, 1, `round ${round}: ${nodes[i]!.name} got a frame`);
        return { node: nodes[i]!, lease: a.leases[0]! };
      });
      const rows = await frameRows(f, taskId);
      for (const { node, lease } of held) {
        assert.ok(!leased.has(lease.frameId), `frame ${lease.frameId} leased once`);
        leased.add(lease.frameId);
        const row = rows.find((r) => r.id === lease.frameId)!;
        assert.equal(row.state, FrameStatus.RUNNING);
        assert.equal(row.lease_owner, node.name);
        assert.equal(row.lease_epoch, lease.epoch);
        assert.equal(lease.epoch, 1);
      }
      const done = await Promise.all(held.map(({ node, lease }) => node.complete(lease)));
      assert.deepEqual(
        done.map((d) => d.code),
        held.map(() => 200),
      );
    }
    assert.equal(leased.size, NODES * ROUNDS);
    assert.equal(await taskStatus(f, taskId), TaskStatus.FINISHED);
  });

  test('log chunks sent at once are all kept, in one numbering; a stale lease writes nothing', async () => {
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const a = await f.node('log-a');
    const l = (await a.poll()).leases[0]!;
    assert.equal(l.job.taskId, taskId);
    const chunks = Array.from({ length: 6 }, (_, c) => [0, 1, 2].map((i) => `chunk ${c} line ${i}`));
    const sent = await Promise.all(
      chunks.map((lines) =>
        a.call('/api/openfarm/workers/frames/log', { frameId: l.frameId, epoch: l.epoch, lines }),
      ),
    );
    assert.deepEqual(
      sent.map((s) => s.code),
      chunks.map(() => 200),
    );
    const stale = await a.call('/api/openfarm/workers/frames/log', {
      frameId: l.frameId,
      epoch: l.epoch - 1,
      lines: ['from an earlier run'],
    });
    assert.equal(stale.code, 7006);
    const stored = await f.db
      .selectFrom('frame_log_lines')
      .select(['seq', 'line'])
      .where('frame_id', '=', l.frameId)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      stored.map((s) => s.seq),
      Array.from({ length: 18 }, (_, i) => i),
    );
    // Each chunk's lines are consecutive and in order; the chunks may land in any order.
    for (const lines of chunks) {
      const at = stored.findIndex((s) => s.line === lines[0]);
      assert.deepEqual(
        stored.slice(at, at + 3).map((s) => s.line),
        lines,
      );
    }
    assert.equal((await a.complete(l)).code, 200);
  });

  test('one node name added several times at once: one node, the others told the name is taken', async () => {
    const adds = await Promise.allSettled(Array.from({ length: 6 }, () => createWorker(f.db, 'same-name')));
    const made = adds.filter((r) => r.status === 'fulfilled');
    assert.equal(made.length, 1, JSON.stringify(adds));
    for (const r of adds) {
      if (r.status === 'rejected')
        assert.match(String(r.reason), /render node named "same-name" already exists/);
    }
    const rows = await f.db.selectFrom('workers').select('id').where('name', '=', 'same-name').execute();
    assert.equal(rows.length, 1);
  });

  test('a node without a token, or with a user key, is refused', async () => {
    const a = await f.node('lease-auth');
    const none = await a.call('/api/openfarm/workers/poll', { freeSlots: 1 }, 'not-a-token');
    assert.equal(none.status, 401);
    assert.equal(none.code, 7007);
    const userKey = await a.call('/api/openfarm/workers/poll', { freeSlots: 1 }, f.user.user.accessKey);
    assert.equal(userKey.code, 7007);
  });

  test('a wrong node token is refused before its body is read, and the server ends the connection', async () => {
    // Headers and the first KiB of a 1 MiB body: the answer must come without the rest.
    const url = new URL('/api/openfarm/workers/frames/log', f.farm.url);
    const answer = await new Promise<{
      status: number;
      body: string;
      connection?: string;
      closedByServer: boolean;
    }>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          authorization: 'Bearer not-a-token',
          'content-type': 'application/json',
          'content-length': String(1024 * 1024),
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error('no answer before the body was sent: the token was checked after reading it'));
      }, 5000);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        // The rest of the body is never sent: the server must end the connection itself, or it
        // stays open until the server's request timeout (a minute added to the farm's close).
        res.on('end', () => {
          const socket = req.socket;
          const answered = { status: res.statusCode ?? 0, body, connection: res.headers.connection };
          const closed = setTimeout(() => {
            clearTimeout(timer);
            req.destroy();
            resolve({ ...answered, closedByServer: false });
          }, 3000);
          const finish = () => {
            clearTimeout(closed);
            clearTimeout(timer);
            resolve({ ...answered, closedByServer: true });
          };
          if (socket === null || socket.destroyed) finish();
          else socket.once('close', finish);
        });
      });
      req.on('error', () => undefined);
      req.write(`{"frameId":1,"epoch":0,"lines":["${'x'.repeat(1000)}`);
    });
    assert.equal(answer.status, 401);
    assert.equal((JSON.parse(answer.body) as { code: number }).code, 7007);
    assert.equal(answer.connection, 'close');
    assert.equal(answer.closedByServer, true, 'the server ended the connection');
  });

  test('an expired lease is reaped and leased again; the first node is then refused', async () => {
    const taskId = await submitTask(f.user, { frames: '7-7[1]' });
    const a = await f.node('reap-a');
    const b = await f.node('reap-b');
    const first = (await a.poll()).leases[0]!;
    assert.deepEqual(first.frameNumbers, [7]);
    // a goes silent: no poll, no report. The reaper returns the frame after the TTL.
    await waitFor(
      'frame back to waiting',
      async () => (await frameRows(f, taskId))[0]!.state === FrameStatus.WAITING,
    );
    const again = (await b.poll()).leases[0]!;
    assert.equal(again.frameId, first.frameId);
    assert.equal(again.epoch, first.epoch + 2, 'reaping and re-leasing each bump the epoch');
    assert.equal(again.attempt, 2);
    // a comes back: its poll is told to cancel, its report is refused.
    const back = await a.poll([{ frameId: first.frameId, epoch: first.epoch }], 0);
    assert.deepEqual(back.cancel, [first.frameId]);
    assert.equal((await a.complete(first)).code, 7006);
    assert.equal((await b.complete(again)).code, 200);
    await waitFor('task finished', async () => (await taskStatus(f, taskId)) === TaskStatus.FINISHED);
  });

  test('polling renews the lease: a live node keeps its frame past the TTL', async () => {
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const a = await f.node('renew-a');
    const l = (await a.poll()).leases[0]!;
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual((await a.poll([l], 0)).cancel, []);
    }
    assert.equal((await a.complete(l)).code, 200, 'still the holder after 2.4 s with a 1.5 s TTL');
    await waitFor('task finished', async () => (await taskStatus(f, taskId)) === TaskStatus.FINISHED);
  });

  test('stop, abandon and delete take running frames away: the node is told to cancel', async () => {
    const taskId = await submitTask(f.user, { frames: '1-3[1]' });
    const a = await f.node('stop-a');
    const l = (await a.poll()).leases[0]!;
    await f.user.data('/api/rendering/task/renderingTask/stopTask', { taskIds: [taskId] });
    const answer = await a.poll([l], 0, 300);
    assert.deepEqual(answer.cancel, [l.frameId]);
    assert.equal((await a.complete(l)).code, 7006);
    assert.equal(await taskStatus(f, taskId), TaskStatus.STOPPED);
    assert.equal((await a.poll()).leases.length, 0, 'a stopped task is not leased');
    await f.user.data('/api/rendering/task/renderingTask/startTask', { taskIds: [taskId] });
    const resumed = (await a.poll()).leases[0]!;
    assert.equal(resumed.job.taskId, taskId);
    await f.user.data('/api/render/handle/abandonTask', { taskIds: [taskId] });
    assert.deepEqual((await a.poll([resumed], 0, 300)).cancel, [resumed.frameId]);
    assert.equal(await taskStatus(f, taskId), TaskStatus.ABANDONED);

    // Deleting a rendering task (to the recycle bin) abandons its running frames first.
    const doomed = await submitTask(f.user, { frames: '1-2[1]' });
    const running = (await a.poll()).leases[0]!;
    assert.equal(running.job.taskId, doomed);
    await f.user.data('/api/render/handle/deleteTask', { taskIds: [doomed] });
    assert.deepEqual((await a.poll([running], 0, 300)).cancel, [running.frameId]);
    assert.equal((await a.complete(running)).code, 7006);
    assert.equal(await taskStatus(f, doomed), TaskStatus.ABANDONED);
    assert.equal((await a.poll()).leases.length, 0, 'a deleted task is not leased');
  });

  test('order: priority frames first, then taskUserLevel, then submit time', async () => {
    const low = await submitTask(f.user, { frames: '1-2[1]', taskUserLevel: 50 });
    const high = await submitTask(f.user, { frames: '1-2[1]', taskUserLevel: 60 });
    const withTest = await submitTask(f.user, { frames: '1-3[1]', taskUserLevel: 10, preFrames: '001' });
    const a = await f.node('order-a');
    const order: Array<[number, number[]]> = [];
    for (let i = 0; i < 7; i++) {
      const l = (await a.poll()).leases[0]!;
      order.push([l.job.taskId, l.frameNumbers]);
      await a.complete(l);
    }
    assert.deepEqual(order, [
      [withTest, [3]],
      [high, [1]],
      [high, [2]],
      [low, [1]],
      [low, [2]],
      [withTest, [1]],
      [withTest, [2]],
    ]);
  });

  test('matching: software and version', async () => {
    const taskId = await submitTask(f.user, { frames: '1-1[1]', cgVersion: '3.4' });
    const maya = await f.node('match-maya', [{ cgName: 'Maya', version: '2024' }]);
    const oldBlender = await f.node('match-old', [{ cgName: 'Blender', version: '2.93.1' }]);
    const tooPrecise = await f.node('match-34', [{ cgName: 'Blender', version: '3.41' }]);
    assert.equal((await maya.poll()).leases.length, 0);
    assert.equal((await oldBlender.poll()).leases.length, 0);
    assert.equal((await tooPrecise.poll()).leases.length, 0);
    const good = await f.node('match-341', [{ cgName: 'blender', version: '3.4.1' }]);
    const l = (await good.poll()).leases[0]!;
    assert.equal(l.job.taskId, taskId);
    await good.complete(l);
  });

  test("PostgreSQL ending the pool's idle connections does not take the server down", {
    // SQLite has no connections a database server could end.
    skip: process.env.OPENFARM_TEST_POSTGRES_URL ? false : 'PostgreSQL only',
  }, async () => {
    // Fill the pool (4 connections), then end every other one from the server side.
    await Promise.all([1, 2, 3, 4].map(() => sql`select pg_sleep(0.05)`.execute(f.db)));
    const ended = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n
        from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(f.db);
    assert.ok(ended.rows[0]!.n >= 1, 'idle connections were ended');
    await new Promise((r) => setTimeout(r, 200));
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const a = await f.node('after-terminate');
    const l = (await a.poll()).leases[0]!;
    assert.equal(l.job.taskId, taskId);
    assert.equal((await a.complete(l)).code, 200);
  });

  test('PostgreSQL ending a connection in the middle of a transaction fails that transaction, not the server', {
    skip: process.env.OPENFARM_TEST_POSTGRES_URL ? false : 'PostgreSQL only',
  }, async () => {
    // Between two statements of a transaction its connection is checked out of the pool and idle:
    // an end from the server side arrives as an 'error' event on that client.
    const transaction = f.db.transaction().execute(async (trx) => {
      const me = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      await sql`select pg_terminate_backend(${me.rows[0]!.pid})`.execute(f.db);
      await new Promise((r) => setTimeout(r, 300));
      await sql`select 1`.execute(trx);
    });
    await assert.rejects(transaction);
    // The server process is still here (no uncaught 'error' from the ended client), and leases again.
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const a = await f.node('after-terminate-busy');
    const l = (await a.poll()).leases[0]!;
    assert.equal(l.job.taskId, taskId);
    assert.equal((await a.complete(l)).code, 200);
  });

  test('frames_per_task chunks frames; priority frames stay single', async () => {
    const taskId = await submitTask(f.user, { frames: '1-10[1]', framesPerTask: 4, preFrames: '100' });
    const rows = await frameRows(f, taskId);
    assert.deepEqual(
      rows.map((r) => [r.frame_type, JSON.parse(r.frame_numbers)]),
      [
        [FrameType.PRIORITY, [1]],
        [FrameType.MAIN, [2, 3, 4, 5]],
        [FrameType.MAIN, [6, 7, 8, 9]],
        [FrameType.MAIN, [10]],
      ],
    );
    const a = await f.node('chunk-a');
    const got: number[][] = [];
    for (let i = 0; i < 4; i++) {
      const l = (await a.poll()).leases[0]!;
      got.push(l.frameNumbers);
      await a.complete(l);
    }
    assert.deepEqual(got, [[1], [2, 3, 4, 5], [6, 7, 8, 9], [10]]);
    await waitFor('task finished', async () => (await taskStatus(f, taskId)) === TaskStatus.FINISHED);
  });
});
