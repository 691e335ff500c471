import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { startFarm, type TestFarm } from './farm-fixture.js';

const PROFILE = '/api/render/setUp/queryUserProfile';

let farm: TestFarm;
before(async () => {
  farm = await startFarm();
});
after(() => farm.close());

function countOf(path: string, since: number): number {
  return farm.requests.slice(since).filter((p) => p === path).length;
}

type Behaviour = 'forward' | 'http503' | 'busy' | 'drop' | 'hang';

/** A real loopback proxy in front of the farm that misbehaves as told, request by request. */
async function startProxy(
  plan: (n: number) => Behaviour,
): Promise<{ domain: string; seen: () => number; close(): Promise<void> }> {
  const target = new URL(farm.server.url);
  let n = 0;
  const server: Server = createServer((req, res) => {
    const behaviour = plan(++n);
    if (behaviour === 'drop') return req.socket.destroy();
    if (behaviour === 'hang') return;
    if (behaviour === 'busy') {
      // What the farm answers when its budget of unverified bodies is spent.
      const envelope = { version: '1.0.0', result: false, code: 7020, message: 'Server busy', data: null };
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(envelope));
      return;
    }
    if (behaviour === 'http503') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
      return;
    }
    // Headers (Host included) pass unchanged, so the signature still matches.
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    domain: `127.0.0.1:${port}`,
    seen: () => n,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('retries', () => {
  test('610: re-signed with the server clock and accepted on the second attempt', async () => {
    const since = farm.requests.length;
    const skewed = () => Date.now() - 3_600_000; // an hour behind: outside the server's window
    const api = farm.client({ clock: skewed });
    assert.equal((await api.user.queryUserProfile()).userId, farm.user.userId);
    assert.equal(countOf(PROFILE, since), 2);
    // The correction sticks: the next call needs one attempt.
    await api.user.queryUserProfile();
    assert.equal(countOf(PROFILE, since), 3);
  });

  test('611 is not retried', async () => {
    const since = farm.requests.length;
    const api = farm.client({ accessKey: 'wrong-key' });
    await assert.rejects(api.user.queryUserProfile(), (e) => e instanceof ApiError && e.code === 611);
    assert.equal(countOf(PROFILE, since), 1);
  });

  test('a business error is not retried', async () => {
    const since = farm.requests.length;
    await assert.rejects(farm.client().task.submitTask(987_654), ApiError);
    assert.equal(countOf('/api/render/submit/task', since), 1);
  });

  test('an HTTP 5xx without an envelope and a dropped connection are retried', async () => {
    const proxy = await startProxy((n) => (n === 1 ? 'http503' : n === 2 ? 'drop' : 'forward'));
    try {
      const since = farm.requests.length;
      const api = farm.client({
        domain: proxy.domain,
        retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      });
      assert.equal((await api.user.queryUserProfile()).userId, farm.user.userId);
      assert.equal(proxy.seen(), 3);
      assert.equal(countOf(PROFILE, since), 1, 'only the third attempt reached the farm');
    } finally {
      await proxy.close();
    }
  });

  test('7020 SERVER_BUSY is retried and the call succeeds once the farm has room', async () => {
    const proxy = await startProxy((n) => (n <= 2 ? 'busy' : 'forward'));
    try {
      const since = farm.requests.length;
      const api = farm.client({
        domain: proxy.domain,
        retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      });
      assert.equal((await api.user.queryUserProfile()).userId, farm.user.userId);
      assert.equal(proxy.seen(), 3);
      assert.equal(countOf(PROFILE, since), 1);
    } finally {
      await proxy.close();
    }
  });

  test('attempts are bounded: the last failure is reported', async () => {
    const proxy = await startProxy(() => 'http503');
    try {
      const api = farm.client({
        domain: proxy.domain,
        retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
      });
      await assert.rejects(api.user.queryUserProfile(), (e) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, 500);
        assert.match(e.message, /HTTP 503/);
        return true;
      });
      assert.equal(proxy.seen(), 4);
    } finally {
      await proxy.close();
    }
  });

  test('a server that does not answer times out per attempt', async () => {
    const proxy = await startProxy(() => 'hang');
    try {
      const api = farm.client({
        domain: proxy.domain,
        timeout: 0.2,
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      });
      const started = Date.now();
      await assert.rejects(api.user.queryUserProfile(), /timed out/);
      assert.equal(proxy.seen(), 2);
      assert.ok(Date.now() - started < 5000);
    } finally {
      await proxy.close();
    }
  });
});
