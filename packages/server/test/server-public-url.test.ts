/**
 * A server behind a reverse proxy that rewrites the Host header (nginx's default
 * `proxy_set_header Host $proxy_host`): clients sign the host they were given, the
 * server receives another. Without `publicUrl` every signed call fails; with it, calls
 * through the proxy and calls made directly to the server both pass, the event stream's
 * signature too, and the transfer engine's address handed to clients is the public one.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ENDPOINTS, signHeaders } from '@openfarm/protocol';
import { RayvisionAPI } from '@openfarm/sdk';
import { createUser, type RunningFarmServer, startServer } from '../src/index.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-public-url-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** A proxy on a free port forwarding to `target()`, with Host rewritten to the target's address. */
async function hostRewritingProxy(target: () => URL): Promise<{ server: Server; port: number }> {
  const server = createHttpServer((req, res) => {
    const to = target();
    const upstream = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function withFarm(
  name: string,
  publicUrl: (proxyPort: number) => string | undefined,
  run: (farm: RunningFarmServer, proxyPort: number) => Promise<void>,
): Promise<void> {
  let farm: RunningFarmServer | undefined;
  const proxy = await hostRewritingProxy(() => new URL((farm as RunningFarmServer).url));
  const url = publicUrl(proxy.port);
  farm = await startServer({
    dataDir: join(root, name),
    port: 0,
    logLevel: 'silent',
    ...(url !== undefined ? { publicUrl: url } : {}),
  });
  try {
    await run(farm, proxy.port);
  } finally {
    proxy.server.closeAllConnections();
    proxy.server.close();
    farm.app.server.closeAllConnections();
    await farm.close();
  }
}

function client(host: string, user: { accessId: string; accessKey: string }): RayvisionAPI {
  return new RayvisionAPI({ domain: host, protocol: 'http', platform: '2', ...user, retry: { attempts: 1 } });
}

test('without a public URL, a proxy that rewrites Host breaks every signature', async () => {
  await withFarm(
    'no-public-url',
    () => undefined,
    async (farm, proxyPort) => {
      const user = await createUser(farm.farm.store.db, 'artist');
      await assert.rejects(
        client(`127.0.0.1:${proxyPort}`, user).user.queryUserProfile(),
        (err: Error & { code?: number }) => {
          assert.equal(err.code, 611);
          return true;
        },
      );
    },
  );
});

test('with a public URL, signed calls pass through the proxy and directly; clients are sent to the public address', async () => {
  await withFarm(
    'public-url',
    (proxyPort) => `http://127.0.0.1:${proxyPort}`,
    async (farm, proxyPort) => {
      const user = await createUser(farm.farm.store.db, 'artist');
      const viaProxy = client(`127.0.0.1:${proxyPort}`, user);
      const profile = await viaProxy.user.queryUserProfile();
      assert.equal(profile.userName, 'artist');
      // A client on the server's own network, signing the address it used, still passes.
      const direct = client(new URL(farm.url).host, user);
      assert.equal((await direct.user.queryUserProfile()).userName, 'artist');
      // Where the SDK sends its transfers: the public address, not the one the proxy used.
      const config = await viaProxy.transmit.getTransferConfig();
      const engine = config.resqEngines[0];
      assert.equal(engine?.checkServer, '127.0.0.1');
      assert.equal(engine?.checkPort, proxyPort);
      // Someone else's signature over the public host is still refused.
      const other = await createUser(farm.farm.store.db, 'other');
      await assert.rejects(
        client(`127.0.0.1:${proxyPort}`, {
          accessId: other.accessId,
          accessKey: user.accessKey,
        }).user.queryUserProfile(),
        (err: Error & { code?: number }) => err.code === 611,
      );
      const openapi = (await (
        await fetch(`http://127.0.0.1:${proxyPort}/api/openfarm/openapi.json`)
      ).json()) as {
        servers: Array<{ url: string }>;
      };
      assert.deepEqual(openapi.servers, [{ url: `http://127.0.0.1:${proxyPort}` }]);
    },
  );
});

test('accepting the public host lets no signed request pass twice, whichever host it is sent to', async () => {
  await withFarm(
    'public-url-replay',
    (proxyPort) => `http://127.0.0.1:${proxyPort}`,
    async (farm, proxyPort) => {
      const user = await createUser(farm.farm.store.db, 'artist');
      const path = ENDPOINTS['user.queryUserProfile'].path;
      const headers = signHeaders({
        accessId: user.accessId,
        accessKey: user.accessKey,
        domain: `127.0.0.1:${proxyPort}`,
        path,
        body: {},
        platform: '2',
      });
      const send = async (base: string) =>
        (
          (await (await fetch(`${base}${path}`, { method: 'POST', headers, body: '{}' })).json()) as {
            code: number;
          }
        ).code;
      assert.equal(await send(`http://127.0.0.1:${proxyPort}`), 200);
      // The same bytes again, through the proxy or straight to the server (another Host): a replay.
      assert.equal(await send(`http://127.0.0.1:${proxyPort}`), 7001);
      assert.equal(await send(farm.url), 7001);
    },
  );
});

test('a public URL with a path, a query or another scheme is refused before anything opens', async () => {
  for (const bad of ['ftp://farm', 'https://farm/api', 'https://farm?x=1', 'not a url', 'https://u:p@farm']) {
    await assert.rejects(
      startServer({ dataDir: join(root, 'refused'), port: 0, logLevel: 'silent', publicUrl: bad }),
      /--public-url/,
      bad,
    );
  }
});
