import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canonicalString, parseJsonText, signHeaders, signature } from '@openfarm/protocol';

interface Vector {
  name: string;
  access_key: string;
  domain: string;
  path: string;
  headers: Record<string, string>;
  body_json: string;
  canonical: string;
  signature: string;
}

// The shared reference copy wins when present; the repo keeps its own copy so
// the test means the same on a clone without it.
const shared = fileURLToPath(new URL('../../../../shared/reference/signature-vectors.json', import.meta.url));
const local = fileURLToPath(new URL('./fixtures/signature-vectors.json', import.meta.url));
const vectors: Vector[] = JSON.parse(readFileSync(existsSync(shared) ? shared : local, 'utf8'));

test('there are signature vectors', () => {
  assert.ok(vectors.length >= 8);
});

for (const v of vectors) {
  test(`vector: ${v.name}`, () => {
    const body = parseJsonText(v.body_json);
    const canonical = canonicalString({ domain: v.domain, path: v.path, headers: v.headers, body });
    assert.equal(canonical, v.canonical);
    assert.equal(signature(v.access_key, canonical), v.signature);
  });
}

test('the reference SDK unit-test vectors', () => {
  assert.equal(signature('test_key', 'test_msg'), 'TC9wro8movj4HGMphrpEdES3oBdPsq+y+2tAt6kM/Tw=');
  const headers = {
    accessId: 'xxx',
    channel: '4',
    platform: '2',
    UTCTimestamp: '32166266',
    nonce: '1465',
    version: 'dev',
  };
  assert.equal(
    canonicalString({ domain: 'tests.com', path: 'api_url', headers, body: { key: 'value' } }),
    '[POST]tests.com:api_url&UTCTimestamp=32166266&accessId=xxx&channel=4&key=value&nonce=1465&platform=2&version=dev',
  );
});

test('floats keep their fractional part; Python number formatting', () => {
  const h = { accessId: 'a' };
  const c = (json: string) =>
    canonicalString({ domain: 'd', path: '/p', headers: h, body: parseJsonText(json) });
  assert.equal(c('{"x": 1.0}'), '[POST]d:/p&accessId=a&x=1.0');
  assert.equal(c('{"x": 1e16}'), '[POST]d:/p&accessId=a&x=1e+16');
  assert.equal(c('{"x": 1.5e-5}'), '[POST]d:/p&accessId=a&x=1.5e-05');
  assert.equal(c('{"x": 123456.789}'), '[POST]d:/p&accessId=a&x=123456.789');
  assert.equal(c('{"x": -0}'), '[POST]d:/p&accessId=a&x=0');
  assert.equal(c('{"x": -0.0}'), '[POST]d:/p&accessId=a&x=-0.0');
  assert.equal(c('{"x": 12345678901234567890}'), '[POST]d:/p&accessId=a&x=12345678901234567890');
  assert.equal(c('{"x": [[1, 2], {"y": []}]}'), '[POST]d:/p&accessId=a&x00=1&x01=2');
});

test('a body key replaces a header of the same name; unsigned headers never take part', () => {
  const headers = {
    accessId: 'a',
    platform: '2',
    signature: 'zzz',
    'Content-Type': 'application/json',
    languageFlag: '1',
  };
  assert.equal(
    canonicalString({ domain: 'd', path: '/p', headers, body: { platform: 9 } }),
    '[POST]d:/p&accessId=a&platform=9',
  );
});

test('signHeaders builds the full header set and signs JS values like the Python client', () => {
  const h = signHeaders({
    accessId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    accessKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    domain: 'task.renderbus.com',
    path: '/api/render/handle/queryTaskInfo/v2',
    platform: '2',
    timestamp: 1535957371,
    nonce: '118860',
    body: { taskIds: [19084, 19085] },
  });
  assert.equal(h.signature, 'gGVFHdvUWeEqVU/KNdR54y3gf/aV81Kmy+fuCc31umk=');
  assert.equal(h.channel, '4');
  assert.equal(h.version, '2.0.0');
  assert.equal(h.languageFlag, '1');
  assert.equal(h['Content-Type'], 'application/json');
  const fresh = signHeaders({ accessId: 'a', accessKey: 'k', domain: 'd', path: '/p', platform: '2' });
  assert.match(fresh.nonce!, /^\d{6}$/);
  assert.ok(Math.abs(Number(fresh.UTCTimestamp) - Date.now() / 1000) < 5);
});
