/** Signed requests over real HTTP: what passes and every way a request is refused. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalString, ENDPOINTS, parseJsonText, signature } from '@openfarm/protocol';
import { setUserDisabled } from '@openfarm/server';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';

const PROFILE = ENDPOINTS['user.queryUserProfile'].path;

describe('signed requests', () => {
  let farm: TestFarm;
  let alice: Client;

  before(async () => {
    farm = await startTestFarm();
    alice = new Client(farm, await farm.addUser('alice'));
  });
  after(() => farm.close());

  test('a correctly signed call succeeds and names the caller', async () => {
    const { status, envelope } = await alice.call<{ userName: string }>(PROFILE);
    assert.equal(status, 200);
    assert.equal(envelope.code, 200);
    assert.equal(envelope.result, true);
    assert.equal(envelope.data.userName, 'alice');
    assert.match(envelope.requestId, /^[0-9a-f]{32}$/);
  });

  test('a legacy path reaches the same handler', async () => {
    const data = await alice.data<{ userName: string }>('/api/render/user/queryUserProfile');
    assert.equal(data.userName, 'alice');
  });

  test('a wrong key gives 611', async () => {
    const { status, envelope } = await alice.call(PROFILE, {}, { accessKey: 'not-the-key' });
    assert.equal(status, 401);
    assert.equal(envelope.code, 611);
    assert.equal(envelope.result, false);
  });

  test('a tampered body gives 611', async () => {
    const { envelope } = await alice.call(
      ENDPOINTS['query.platforms'].path,
      { zone: 2 },
      { rawBody: '{"zone":1}' },
    );
    assert.equal(envelope.code, 611);
  });

  test('an unknown access id gives 611', async () => {
    const stranger = new Client(farm, { accessId: 'AKIDunknownunknownunknown0000', accessKey: 'x' });
    const { envelope } = await stranger.call(PROFILE);
    assert.equal(envelope.code, 611);
  });

  test('missing signature headers give 611', async () => {
    const res = await fetch(`${farm.url}${PROFILE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(((await res.json()) as { code: number }).code, 611);
  });

  // Margins of tens of seconds keep the test independent of how long a loaded machine takes to answer.
  test('a timestamp outside the window gives 610, either side', async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await alice.call(PROFILE, {}, { timestamp: now - 330 })).envelope.code, 610);
    assert.equal((await alice.call(PROFILE, {}, { timestamp: now + 330 })).envelope.code, 610);
    assert.equal((await alice.call(PROFILE, {}, { timestamp: now - 200 })).envelope.code, 200);
  });

  test('replaying a request (same timestamp and nonce) is refused with 7001', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    assert.equal((await alice.call(PROFILE, {}, { timestamp, nonce: '123456' })).envelope.code, 200);
    const replay = await alice.call(PROFILE, {}, { timestamp, nonce: '123456' });
    assert.equal(replay.envelope.code, 7001);
    // The same nonce a second later is a different request, as the reference's 6-digit nonces require.
    assert.equal(
      (await alice.call(PROFILE, {}, { timestamp: timestamp - 1, nonce: '123456' })).envelope.code,
      200,
    );
    // A different request that draws the same nonce in the same second is not a replay.
    const settingsPath = ENDPOINTS['user.queryUserSetting'].path;
    assert.equal((await alice.call(settingsPath, {}, { timestamp, nonce: '123456' })).envelope.code, 200);
    assert.equal((await alice.call(settingsPath, {}, { timestamp, nonce: '123456' })).envelope.code, 7001);
  });

  test('a disabled user gets 804, and works again when re-enabled', async () => {
    const bob = await farm.addUser('bob');
    const client = new Client(farm, bob);
    await setUserDisabled(farm.server.farm.store.db, 'bob', true);
    assert.equal((await client.call(PROFILE)).envelope.code, 804);
    await setUserDisabled(farm.server.farm.store.db, 'bob', false);
    assert.equal((await client.call(PROFILE)).envelope.code, 200);
  });

  test('errors speak Chinese when languageFlag is 1', async () => {
    const { envelope } = await alice.call(
      PROFILE,
      {},
      { accessKey: 'wrong', headers: { languageFlag: '1' } },
    );
    assert.equal(envelope.message, '签名无效');
    const en = await alice.call(PROFILE, {}, { accessKey: 'wrong', headers: { languageFlag: '0' } });
    assert.equal(en.envelope.message, 'Invalid signature');
  });

  test('numbers are verified as the client wrote them (1.0 signs as 1.0, not 1)', async () => {
    const path = ENDPOINTS['user.updateUserSettings'].path;
    const text = '{"taskOverTime":1.0}';
    const headers: Record<string, string> = {
      accessId: alice.user.accessId,
      channel: '4',
      platform: '2',
      UTCTimestamp: String(Math.floor(Date.now() / 1000)),
      nonce: '222222',
      version: '2.0.0',
    };
    const canonical = canonicalString({ domain: farm.host, path, headers, body: parseJsonText(text) });
    assert.match(canonical, /taskOverTime=1\.0/);
    const res = await fetch(`${farm.url}${path}`, {
      method: 'POST',
      headers: {
        ...headers,
        signature: signature(alice.user.accessKey, canonical),
        'Content-Type': 'application/json',
      },
      body: text,
    });
    assert.equal(((await res.json()) as { code: number }).code, 200);
    const settings = await alice.data<{ taskOverTimeSec: number }>(ENDPOINTS['user.queryUserSetting'].path);
    assert.equal(settings.taskOverTimeSec, 3600);
  });
});
