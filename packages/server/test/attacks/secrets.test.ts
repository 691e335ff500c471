/**
 * Issue 15 item 11 (server side): the events token (a bearer credential for
 * five minutes) was written to the server log inside request URLs, and an
 * event stream outlived both its token's expiry and its user's disabling.
 * Against a real server: the log shows `token=[redacted]`, a stream opened with
 * a token ends when the token expires, and a stream (token or signature) ends
 * soon after its user is disabled.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signHeaders } from '@openfarm/protocol';
import { EVENTS_PATH, type NewUser, rotateAccessKey, setUserDisabled } from '@openfarm/server';
import { Client, startTestFarm, type TestFarm } from '../support/farm.js';

const lines: string[] = [];
let farm: TestFarm;

before(async () => {
  farm = await startTestFarm({
    logLevel: 'info',
    logStream: { write: (line: string) => void lines.push(line) },
    eventsRecheckMs: 200,
  });
});
after(async () => farm.close());

/** Resolves when the server ends the stream; rejects after `ms` with the stream still open. */
async function endsWithin(res: Response, ms: number): Promise<string> {
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => void reader.cancel('still open'), ms);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
  }
  assert.match(text, /: stream ended: /, `the stream was still open after ${ms} ms:\n${text}`);
  return text;
}

test('the events token never reaches the log', async () => {
  const alice = new Client(farm, await farm.addUser('alice'));
  const { token } = await alice.api('openfarm.eventsToken');
  const controller = new AbortController();
  const res = await fetch(`${farm.url}${EVENTS_PATH}?token=${encodeURIComponent(token)}&x=1`, {
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  controller.abort();
  await new Promise((r) => setTimeout(r, 100));
  const log = lines.join('');
  assert.ok(
    log.includes(`${EVENTS_PATH}?token=[redacted]&x=1`),
    'the request is logged with its token redacted',
  );
  assert.ok(!log.includes(token), 'the token itself is nowhere in the log');
  assert.ok(!log.includes(token.split('.')[2]!), 'nor its MAC');
});

test('a stream opened with a token ends when the token expires', async () => {
  const bob = await farm.addUser('bob');
  // A token issued 298 s ago: two seconds left of its five minutes.
  const { token } = await farm.server.farm.eventsTokens.issue(bob.userId, Date.now() - 298_000);
  const res = await fetch(`${farm.url}${EVENTS_PATH}?token=${encodeURIComponent(token)}`);
  assert.match(await endsWithin(res, 8000), /token expired/);
});

async function signedStream(user: NewUser): Promise<Response> {
  const headers = signHeaders({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: farm.host,
    path: EVENTS_PATH,
    body: undefined,
    platform: '2',
  });
  return fetch(`${farm.url}${EVENTS_PATH}`, { headers });
}

test('streams end soon after their user is disabled, however they were opened', async () => {
  const carol = await farm.addUser('carol');
  const client = new Client(farm, carol);
  const { token } = await client.api('openfarm.eventsToken');
  const byToken = await fetch(`${farm.url}${EVENTS_PATH}?token=${encodeURIComponent(token)}`);
  const bySignature = await signedStream(carol);
  assert.equal(bySignature.status, 200);
  await setUserDisabled(farm.server.farm.store.db, 'carol', true);
  const [a, b] = await Promise.all([endsWithin(byToken, 5000), endsWithin(bySignature, 5000)]);
  assert.match(a, /account disabled/);
  assert.match(b, /account disabled/);
});

test("a re-keyed or deleted user's stream ends, and other users' streams stay open", async () => {
  const dave = await farm.addUser('dave');
  const erin = await farm.addUser('erin');
  const frank = await farm.addUser('frank');
  const [byDave, byErin, byFrank] = await Promise.all([
    signedStream(dave),
    signedStream(erin),
    signedStream(frank),
  ]);
  await rotateAccessKey(farm.server.farm.store.db, 'dave');
  await farm.server.farm.store.db.deleteFrom('users').where('id', '=', erin.userId).execute();
  const [a, b] = await Promise.all([endsWithin(byDave, 5000), endsWithin(byErin, 5000)]);
  assert.match(a, /key changed/);
  assert.match(b, /account disabled or its key changed/);
  // Several re-reads later, frank's stream is still open.
  await assert.rejects(endsWithin(byFrank, 1500), /still open/);
});
