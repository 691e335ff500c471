/**
 * Which proxy a request takes, as curl reads the environment: HTTPS_PROXY for
 * https farms (the real-proxy test's farm is plain http, so only HTTP_PROXY
 * runs there), HTTP_PROXY for http ones, lower-case names too, NO_PROXY's
 * names, sub-domains, ports, IPv6 addresses and `*`; the option wins over all
 * of them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bypassesProxy, proxyFor } from '../src/client/proxy-config.js';

const https = new URL('https://farm.studio.lan/api');
const http = new URL('http://farm.studio.lan:7200/api');
const chosen = (target: URL, option: string | undefined, env: NodeJS.ProcessEnv) =>
  proxyFor(target, option, env)?.href;

test('HTTPS_PROXY serves https farms and HTTP_PROXY http ones; lower-case names are read too', () => {
  const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'socks5://plain:1080' };
  assert.equal(chosen(https, undefined, env), 'http://secure:3128/');
  assert.equal(chosen(http, undefined, env), 'socks5://plain:1080');
  // An https farm does not fall back to HTTP_PROXY (curl does not either).
  assert.equal(chosen(https, undefined, { HTTP_PROXY: 'http://plain:3128' }), undefined);
  assert.equal(chosen(https, undefined, { https_proxy: 'secure:3128' }), 'http://secure:3128/');
  assert.equal(chosen(http, undefined, { HTTP_PROXY: '  ' }), undefined);
});

test('the proxy option wins over the environment and NO_PROXY', () => {
  const env = { HTTPS_PROXY: 'http://secure:3128', NO_PROXY: '*' };
  assert.equal(chosen(https, 'socks5://gate:1080', env), 'socks5://gate:1080');
  assert.equal(chosen(https, undefined, env), undefined);
});

test('NO_PROXY: names with their sub-domains, a leading dot, host:port, IPv6 addresses and *', () => {
  assert.ok(bypassesProxy(https, 'studio.lan'));
  assert.ok(bypassesProxy(https, 'example.com .studio.lan'));
  assert.ok(bypassesProxy(https, '*.studio.lan'));
  assert.ok(bypassesProxy(http, 'farm.studio.lan:7200'));
  assert.ok(!bypassesProxy(http, 'farm.studio.lan:80'), 'another port is not the farm');
  assert.ok(bypassesProxy(https, 'farm.studio.lan:443'), 'https without a port is 443');
  assert.ok(!bypassesProxy(https, 'lan.studio, otherstudio.lan'), 'a name is matched whole, not as a suffix');
  // IPv6: bare, bracketed, bracketed with a port (all three missed before: `::1` read as host ':' port 1).
  const v6 = new URL('http://[::1]:7200/');
  assert.ok(bypassesProxy(v6, '::1'));
  assert.ok(bypassesProxy(v6, '[::1]'));
  assert.ok(bypassesProxy(v6, '[::1]:7200'));
  assert.ok(!bypassesProxy(v6, '[::1]:80'));
  assert.ok(!bypassesProxy(v6, '::2'));
  assert.ok(bypassesProxy(https, '*'));
  assert.ok(!bypassesProxy(https, undefined));
  assert.equal(
    chosen(https, undefined, { HTTPS_PROXY: 'http://secure:3128', no_proxy: 'studio.lan' }),
    undefined,
  );
});

test('a proxy URL in the environment is checked like the option, naming the variable', () => {
  assert.throws(
    () => proxyFor(https, undefined, { HTTPS_PROXY: 'ftp://x:21' }),
    /HTTPS_PROXY: proxy must be/,
  );
  assert.throws(
    () => proxyFor(http, undefined, { HTTP_PROXY: 'http://nohost' }),
    /HTTP_PROXY: proxy needs a host and a port/,
  );
});
