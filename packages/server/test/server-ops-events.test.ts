/** /healthz, /metrics, the OpenAPI document, and the SSE event stream with its two ways in. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signHeaders, TaskStatus } from '@openfarm/protocol';
import { EVENTS_PATH } from '@openfarm/server';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';
import { collect } from './support/sse.js';
import { blenderTaskJson } from './support/task-json.js';

describe('operations and events', () => {
  let farm: TestFarm;
  let alice: Client;
  let bob: Client;

  before(async () => {
    farm = await startTestFarm();
    alice = new Client(farm, await farm.addUser('alice'));
    bob = new Client(farm, await farm.addUser('bob'));
  });
  after(() => farm.close());

  test('healthz answers ok', async () => {
    const res = await fetch(`${farm.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('the OpenAPI document covers the catalogue and names this server', async () => {
    const doc = (await (await fetch(`${farm.url}/api/openfarm/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      servers: Array<{ url: string }>;
    };
    assert.match(doc.openapi, /^3\./);
    assert.ok('/api/render/submit/createTask' in doc.paths);
    assert.ok('/api/render/task/createTask' in doc.paths, 'legacy paths too');
    assert.deepEqual(doc.servers, [{ url: farm.url }]);
  });

  test("signed SSE stream delivers the caller's task and frame changes, and nobody else's", async () => {
    const headers = signHeaders({
      accessId: alice.user.accessId,
      accessKey: alice.user.accessKey,
      domain: farm.host,
      path: EVENTS_PATH,
      platform: '2',
    });
    const stream = await fetch(`${farm.url}${EVENTS_PATH}`, { headers });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
    const bobStream = await fetch(
      `${farm.url}${EVENTS_PATH}?token=${(await bob.api('openfarm.eventsToken')).token}`,
    );
    assert.equal(bobStream.status, 200);

    const id = (await alice.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    await alice.api('transmit.uploadJsonContent', {
      taskId: id,
      fileName: 'task.json',
      content: JSON.stringify(blenderTaskJson(id)),
    });
    await alice.api('task.submitTask', { taskId: id });
    await alice.api('task.stopTask', { taskIds: [id] });

    const events = await collect(stream, (es) => es.filter((e) => e.event === 'frame').length >= 3);
    const first = events[0]!;
    assert.equal(first.event, 'task');
    assert.deepEqual(
      [first.data.type, first.data.taskId, first.data.status],
      ['task', id, TaskStatus.WAITING],
    );
    assert.ok(events.some((e) => e.event === 'task' && e.data.status === TaskStatus.STOPPED));
    assert.ok(
      events.filter((e) => e.event === 'frame').every((e) => e.data.taskId === id && e.data.status === 3),
    );

    // Bob's stream stays silent about Alice's work: the first event it gets is Bob's own.
    const bobTask = (await bob.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    await bob.api('transmit.uploadJsonContent', {
      taskId: bobTask,
      fileName: 'task.json',
      content: JSON.stringify(blenderTaskJson(bobTask)),
    });
    await bob.api('task.submitTask', { taskId: bobTask });
    const bobEvents = await collect(bobStream, (es) => es.length >= 1);
    assert.equal(bobEvents[0]!.data.taskId, bobTask);
  });

  test('the stream refuses a bad token, a forged token and an unsigned request with envelopes', async () => {
    const bad = await fetch(`${farm.url}${EVENTS_PATH}?token=nonsense`);
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { code: number }).code, 611);
    const { token } = await alice.api('openfarm.eventsToken');
    const [uid, exp, mac] = token.split('.') as [string, string, string];
    const forged = await fetch(`${farm.url}${EVENTS_PATH}?token=${Number(uid) + 1}.${exp}.${mac}`);
    assert.equal(((await forged.json()) as { code: number }).code, 611);
    const unsigned = await fetch(`${farm.url}${EVENTS_PATH}`);
    assert.equal(((await unsigned.json()) as { code: number }).code, 611);
  });

  test('metrics count requests, tasks by status and frames by state from the store', async () => {
    const text = await (await fetch(`${farm.url}/metrics`)).text();
    assert.match(text, /^# TYPE openfarm_http_requests_total counter$/m);
    assert.match(
      text,
      /openfarm_http_requests_total\{method="POST",route="\/api\/render\/submit\/createTask",status="200"\} \d+/,
    );
    const db = farm.server.farm.store.db;
    const stopped = await db.selectFrom('frames').select('id').where('state', '=', 3).execute();
    assert.match(text, new RegExp(`^openfarm_frames\\{state="3"\\} ${stopped.length}$`, 'm'));
    const waitingTasks = await db
      .selectFrom('tasks')
      .select('id')
      .where('status', '=', 0)
      .where('is_delete', '=', 0)
      .execute();
    assert.match(text, new RegExp(`^openfarm_tasks\\{status="0"\\} ${waitingTasks.length}$`, 'm'));
  });
});
