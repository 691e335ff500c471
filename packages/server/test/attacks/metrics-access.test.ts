/**
 * Issue 15 item 12: /metrics was open to anyone and ran a group-by over all
 * frames on every scrape. Against real servers: without a token it answers
 * loopback clients only (a client on another address gets 403); with a token
 * every scrape must bring it, loopback included; counts are shared between
 * scrapes for a few seconds instead of recounted each time.
 */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { Client, startTestFarm, type TestFarm } from '../support/farm.js';

/** An IPv4 address of this machine that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const outside = outsideAddress();
let open: TestFarm;
let tokened: TestFarm;

before(async () => {
  // Listening on every address, so the same server can be reached from loopback and from outside.
  open = await startTestFarm({ host: '0.0.0.0', metricsToken: undefined });
  tokened = await startTestFarm({ metricsToken: 'scrape-me-7f3a' });
});
after(async () => {
  await open.close();
  await tokened.close();
});

async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/metrics`, { headers });
  const text = await res.text();
  return { status: res.status, text };
}

test('without a token /metrics answers loopback and refuses other addresses', async (t) => {
  const port = new URL(open.url).port;
  const local = await scrape(`http://127.0.0.1:${port}`);
  assert.equal(local.status, 200);
  assert.match(local.text, /^# TYPE openfarm_frames gauge$/m);
  if (outside === undefined) {
    t.skip('this machine has no non-loopback IPv4 address to scrape from');
    return;
  }
  const remote = await scrape(`http://${outside}:${port}`);
  assert.equal(remote.status, 403, remote.text);
  const envelope = JSON.parse(remote.text) as { code: number; message: string };
  assert.equal(envelope.code, 403);
  assert.match(envelope.message, /--metrics-token/);
});

test('with a token every scrape must bring it, from loopback too', async () => {
  const none = await scrape(tokened.url);
  assert.equal(none.status, 401, none.text);
  assert.equal((JSON.parse(none.text) as { code: number }).code, 602);
  const wrong = await scrape(tokened.url, { authorization: 'Bearer scrape-me-7f3b' });
  assert.equal(wrong.status, 401);
  const right = await scrape(tokened.url, { authorization: 'Bearer scrape-me-7f3a' });
  assert.equal(right.status, 200);
  assert.match(right.text, /^openfarm_event_subscribers \d+$/m);
});

test('task and frame counts are shared between scrapes instead of recounted every time', async () => {
  const alice = new Client(open, await open.addUser('alice'));
  const count = (text: string) => Number(/^openfarm_tasks\{status="0"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  const port = new URL(open.url).port;
  const first = count((await scrape(`http://127.0.0.1:${port}`)).text);
  await alice.api('task.createTask', { count: 3 });
  // Within the cache's few seconds, a scrape answers the counts it already has.
  const second = count((await scrape(`http://127.0.0.1:${port}`)).text);
  const stored = await open.server.farm.store.db
    .selectFrom('tasks')
    .select('id')
    .where('status', '=', 0)
    .where('is_delete', '=', 0)
    .execute();
  assert.equal(stored.length, first + 3, 'the new tasks are waiting ones');
  assert.equal(second, first);
  // The request counters are live all the same.
  assert.match(
    (await scrape(`http://127.0.0.1:${port}`)).text,
    /openfarm_http_requests_total\{method="POST",route="\/api\/render\/submit\/createTask",status="200"\} 1$/m,
  );
});

test('a count that outlasts the cache is still the only one in flight', async (t) => {
  const farm = await startTestFarm({ metricsToken: undefined });
  try {
    const { db } = farm.server.farm.store;
    // SQLite's one connection lets the test hold every query back; PostgreSQL's pool does not.
    if (farm.server.farm.store.dialect !== 'sqlite') return t.skip('needs the SQLite store');
    const alice = new Client(farm, await farm.addUser('alice'));
    await alice.api('task.createTask', { count: 1 });
    const waiting = (text: string) => /^openfarm_tasks\{status="0"\} (\d+)$/m.exec(text)?.[1];
    let release = () => {};
    const held = db.transaction().execute(() => new Promise<void>((r) => (release = r)));
    await sleep(100);
    const first = scrape(farm.url);
    await sleep(300);
    // Queued behind the first count's task query: a second count would see it.
    const change = sql`update tasks set status = 5 where status = 0`.execute(db);
    await sleep(5500);
    const second = scrape(farm.url);
    await sleep(300);
    release();
    await held;
    await change;
    const [a, b] = await Promise.all([first, second]);
    assert.equal(waiting(a.text), '1');
    assert.equal(waiting(b.text), '1', 'the second scrape shares the first count');
  } finally {
    await farm.close();
  }
});
