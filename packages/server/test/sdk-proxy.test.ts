/**
 * The SDK through real proxies: tinyproxy (HTTP CONNECT) and dante (SOCKS5),
 * given as the `proxy` option or through HTTP_PROXY, with NO_PROXY honoured.
 * API calls, chunked and batched uploads and downloads all go through: the
 * proxies connect onwards from 127.0.0.2 and the farm records the address of
 * every request it gets, so one request from 127.0.0.1 would be a request that
 * went around the proxy. The proxies' own logs show the tunnels.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RayvisionAPI, type RayvisionAPIOptions, RayvisionDownload, RayvisionUpload } from '@openfarm/sdk';
import type { FastifyInstance } from 'fastify';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { transferPlugin } from '../src/transfer/index.js';
import { startTestFarm, type TestFarm } from './support/farm.js';
import {
  PROXY_SOURCE_ADDRESS,
  type ProxyServer,
  startDante,
  startTinyproxy,
} from './support/proxy-servers.js';

const skipTiny = requireProgram('tinyproxy', { probeArgs: ['-v'] });
const skipDante = requireProgram('danted', { probeArgs: ['-v'] });

describe('SDK through proxies', () => {
  let farm: TestFarm;
  let work: string;
  let user: { accessId: string; accessKey: string };
  /** `METHOD path from-address` of every request the farm received. */
  let seen: string[] = [];
  const record = (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      seen.push(`${request.method} ${request.url.split('?')[0]} ${request.socket.remoteAddress}`);
    });
  };

  before(async () => {
    farm = await startTestFarm({ plugins: [record, transferPlugin()] });
    user = await farm.addUser('proxied');
    work = await mkdtemp(join(tmpdir(), 'openfarm-proxy-sdk-'));
  });
  after(async () => {
    await farm?.close();
    await rm(work, { recursive: true, force: true });
  });

  function client(options: RayvisionAPIOptions): RayvisionAPI {
    return new RayvisionAPI({ ...user, domain: farm.host, protocol: 'http', platform: '2', ...options });
  }

  /** Profile, a batched and a chunked upload, a download back: returns the farm's view of the requests. */
  async function roundTrip(api: RayvisionAPI, name: string): Promise<string[]> {
    seen = [];
    assert.equal((await api.user.queryUserProfile()).userName, 'proxied');
    const dir = join(work, name);
    const small = join(work, `${name}-small.bin`);
    const large = join(work, `${name}-large.bin`);
    const bytes = { small: randomBytes(3000), large: randomBytes(2_300_000) };
    await writeFile(small, bytes.small);
    await writeFile(large, bytes.large);
    const ini = join(work, `${name}.ini`);
    await writeFile(
      ini,
      `[DATABASE_CONFIG]\non = false\n[TRANSFER_LOG_PATH]\ntransfer_log_path = ${join(work, 'logs')}\n`,
    );
    const upload = new RayvisionUpload(api, { dbConfigPath: ini, chunkBytes: 1024 * 1024 });
    const sent = await upload.uploadFiles(
      'output',
      [
        { localPath: small, serverPath: `/${name}/small.bin` },
        { localPath: large, serverPath: `/${name}/large.bin` },
      ],
      { isDb: false },
    );
    assert.equal(sent.failures.length, 0);
    const download = new RayvisionDownload(api, { logDir: join(work, 'logs') });
    const got = await download.download({ serverPath: name, localPath: dir });
    assert.equal(got.downloadedFiles, 2);
    assert.deepEqual(await readFile(join(dir, name, 'small.bin')), bytes.small);
    assert.deepEqual(await readFile(join(dir, name, 'large.bin')), bytes.large);
    return seen;
  }

  function assertAllProxied(requests: string[]): void {
    assert.ok(
      requests.some((r) => r.startsWith('PUT ')),
      'byte uploads seen',
    );
    assert.ok(
      requests.some((r) => r.startsWith('GET ')),
      'downloads seen',
    );
    assert.ok(requests.length >= 6, requests.join('\n'));
    const direct = requests.filter((r) => !r.endsWith(` ${PROXY_SOURCE_ADDRESS}`));
    assert.deepEqual(direct, [], 'every request came through the proxy');
  }

  test('without a proxy the farm sees the client itself (the check below can fail)', async () => {
    const requests = await roundTrip(client({ env: {} }), 'direct');
    assert.ok(
      requests.every((r) => r.endsWith(' 127.0.0.1')),
      requests.join('\n'),
    );
  });

  describe('tinyproxy (HTTP CONNECT)', { skip: skipTiny }, () => {
    let proxy: ProxyServer;
    before(async () => {
      proxy = await startTinyproxy();
    });
    after(() => proxy?.close());

    test('the proxy option carries API calls, uploads and downloads', async () => {
      assertAllProxied(await roundTrip(client({ proxy: proxy.url, env: {} }), 'tiny-option'));
      assert.match(await proxy.log(), new RegExp(`CONNECT ${farm.host.replace(/[.]/g, '\\.')} HTTP/1\\.1`));
    });

    test('HTTP_PROXY is honoured, and NO_PROXY sends the farm direct', async () => {
      assertAllProxied(await roundTrip(client({ env: { HTTP_PROXY: proxy.url } }), 'tiny-env'));
      const bypassed = await roundTrip(
        client({ env: { http_proxy: proxy.url, NO_PROXY: 'example.com, 127.0.0.1' } }),
        'tiny-noproxy',
      );
      assert.ok(
        bypassed.every((r) => r.endsWith(' 127.0.0.1')),
        bypassed.join('\n'),
      );
    });
  });

  describe('dante (SOCKS5)', { skip: skipDante }, () => {
    let proxy: ProxyServer;
    before(async () => {
      proxy = await startDante();
    });
    after(() => proxy?.close());

    test('a socks5:// proxy carries API calls, uploads and downloads', async () => {
      assertAllProxied(await roundTrip(client({ proxy: proxy.url, env: {} }), 'socks-option'));
      assert.match(await proxy.log(), /tcp\/connect .* -> 127\.0\.0\.2/);
    });
  });

  test('a proxy option that is not http:// or socks5:// is refused at construction', () => {
    assert.throws(() => client({ proxy: 'ftp://127.0.0.1:21' }), /http:\/\/, socks5:\/\//);
    assert.throws(() => client({ proxy: 'http://127.0.0.1' }), /host and a port/);
  });
});
