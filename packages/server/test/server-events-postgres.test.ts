/**
 * Two API replicas on one PostgreSQL database: a client streaming events from
 * one sees the changes made through the other. Runs when
 * OPENFARM_TEST_POSTGRES_URL names a server where tests may create databases.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signHeaders, TaskStatus } from '@openfarm/protocol';
import {
  createUser,
  EVENTS_PATH,
  openPostgresStore,
  postgresEventsPlugin,
  type RunningFarmServer,
  startServer,
} from '@openfarm/server';
import pg from 'pg';
import { Client, type TestFarm } from './support/farm.js';
import { type EventReader, readEvents, type StreamedEvent } from './support/sse.js';
import { blenderTaskJson } from './support/task-json.js';

const adminUrl = process.env.OPENFARM_TEST_POSTGRES_URL;
const skip = adminUrl ? false : 'OPENFARM_TEST_POSTGRES_URL not set';
const dbName = `openfarm_bridge_${process.pid}`;
let dir: string;
const replicas: RunningFarmServer[] = [];

function asTestFarm(server: RunningFarmServer): TestFarm {
  return {
    server,
    url: server.url,
    host: new URL(server.url).host,
    dataDir: dir,
    addUser: (name) => createUser(server.farm.store.db, name),
    close: () => server.close(),
  };
}

before(async () => {
  if (!adminUrl) return;
  dir = await mkdtemp(join(tmpdir(), 'openfarm-bridge-'));
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  for (const name of ['a', 'b']) {
    replicas.push(
      await startServer({
        dataDir: join(dir, name),
        port: 0,
        logLevel: 'silent',
        store: openPostgresStore(url.toString(), 2),
        plugins: [postgresEventsPlugin(url.toString())],
      }),
    );
  }
});

after(async () => {
  for (const r of replicas) await r.close();
  if (!adminUrl) return;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

/** A user's event stream on one replica. */
async function openStream(
  server: RunningFarmServer,
  user: { accessId: string; accessKey: string },
): Promise<EventReader> {
  const headers = signHeaders({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: new URL(server.url).host,
    path: EVENTS_PATH,
    platform: '2',
  });
  const res = await fetch(`${server.url}${EVENTS_PATH}`, { headers });
  assert.equal(res.status, 200);
  return readEvents(res);
}

test('an event published on one replica reaches a stream on the other, once', { skip }, async () => {
  const [a, b] = replicas as [RunningFarmServer, RunningFarmServer];
  const user = await createUser(a.farm.store.db, 'alice');
  const events = await openStream(a, user);

  const viaB = new Client(asTestFarm(b), user);
  const id = (await viaB.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
  await viaB.api('transmit.uploadJsonContent', {
    taskId: id,
    fileName: 'task.json',
    content: JSON.stringify(blenderTaskJson(id)),
  });
  await viaB.api('task.submitTask', { taskId: id });
  // B's submit reaches A's stream through PostgreSQL.
  const submitted = (e: StreamedEvent) =>
    e.event === 'task' && e.data.status === TaskStatus.WAITING && e.data.detail?.created !== true;
  await events.until((es) => es.some(submitted));
  const viaA = new Client(asTestFarm(a), user);
  await viaA.api('task.stopTask', { taskIds: [id] });
  await events.until((es) => es.some((e) => e.event === 'task' && e.data.status === TaskStatus.STOPPED));
  // One more change through B: an echo of A's stop would have arrived before it.
  await viaB.api('task.startTask', { taskIds: [id] });
  const all = await events.until((es) => es.filter(submitted).length >= 2);
  await events.close();
  const taskEvents = all
    .filter((e) => e.event === 'task' && e.data.detail?.created !== true)
    .map((e) => [e.data.taskId, e.data.status]);
  assert.deepEqual(
    taskEvents,
    [
      [id, TaskStatus.WAITING],
      [id, TaskStatus.STOPPED],
      [id, TaskStatus.WAITING],
    ],
    "B's submit arrives once, and A's own stop is not echoed back",
  );
});

test('a dropped listening connection comes back; streams end at the gap so clients re-read', {
  skip,
}, async () => {
  const [a, b] = replicas as [RunningFarmServer, RunningFarmServer];
  const user = await createUser(a.farm.store.db, 'bob');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const listeners = async () =>
    (
      await admin.query(`select pid from pg_stat_activity where datname = $1 and query = $2`, [
        dbName,
        'LISTEN openfarm_events',
      ])
    ).rows.length;
  try {
    assert.equal(await listeners(), 2);
    const before = await openStream(a, user);
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query = $2`,
      [dbName, 'LISTEN openfarm_events'],
    );
    // The stream ends at the gap (until() returns when the stream ends, throws after 10 s).
    await before.until(() => false);
    for (let i = 0; i < 100 && (await listeners()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await listeners(), 2, 'both replicas listen again');
    const after = await openStream(a, user);
    const viaB = new Client(asTestFarm(b), user);
    const id = (await viaB.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    const seen = await after.until((es) => es.some((e) => e.event === 'task' && e.data.taskId === id));
    await after.close();
    assert.ok(
      seen.some((e) => e.data.taskId === id),
      "B's change reaches A's stream again",
    );
  } finally {
    await admin.end();
  }
});
