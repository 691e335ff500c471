import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, ERRORS, errorByCode, errorEnvelope, errorMessage, okEnvelope } from '@openfarm/protocol';

const REFERENCE_CODES = [
  100, 200, 301, 400, 403, 404, 500, 513, 600, 601, 602, 603, 604, 605, 606, 607, 608, 610, 611, 700, 1000,
  20004, 200024, 200025, 1000000, 1000001, 1000002, 1000003, 1000004, 1000005, 1000006, 2000, 20003, 200001,
];
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

test('every reference code is in the catalogue with both languages', () => {
  for (const code of [...REFERENCE_CODES, ...range(800, 815), ...range(900, 920)]) {
    const e = errorByCode(code);
    assert.ok(e, `code ${code} missing`);
    assert.ok(e.en.length > 0 && e.zh.length > 0, `code ${code} lacks a message`);
    assert.match(e.symbol, /^[A-Z][A-Z0-9_]*$/);
    assert.ok(e.httpStatus >= 200 && e.httpStatus < 600);
  }
});

test('codes and symbols are unique and each symbol key matches its entry', () => {
  const codes = new Set<number>();
  for (const [key, e] of Object.entries(ERRORS)) {
    assert.equal(e.symbol, key);
    assert.ok(!codes.has(e.code), `duplicate code ${e.code}`);
    codes.add(e.code);
  }
});

test('the reference meanings of the account codes are kept', () => {
  assert.equal(errorByCode(804)?.symbol, 'ACCOUNT_DISABLED');
  assert.equal(errorByCode(805)?.symbol, 'BAD_CREDENTIALS');
  assert.equal(errorByCode(812)?.symbol, 'IP_PROHIBITED');
  assert.equal(ERRORS.SIGNATURE_EXPIRED.code, 610);
  assert.equal(ERRORS.SIGNATURE_INVALID.code, 611);
});

test('openfarm codes sit in their own block with the right HTTP hints', () => {
  for (const s of [
    'NONCE_REPLAYED',
    'PAYLOAD_TOO_LARGE',
    'QUOTA_EXCEEDED',
    'BAD_SERVER_PATH',
    'HASH_MISMATCH',
    'LEASE_LOST',
    'WORKER_TOKEN_INVALID',
  ] as const) {
    assert.ok(ERRORS[s].code >= 7000 && ERRORS[s].code < 7100, s);
  }
  assert.equal(ERRORS.PAYLOAD_TOO_LARGE.httpStatus, 413);
  assert.equal(ERRORS.LEASE_LOST.httpStatus, 409);
});

test('errorMessage picks the language and still names unknown codes', () => {
  assert.equal(errorMessage(611, 'en'), 'Invalid signature');
  assert.equal(errorMessage(611, 'zh'), '签名无效');
  assert.match(errorMessage(123456, 'en'), /123456/);
  assert.match(errorMessage(123456, 'zh'), /123456/);
});

test('ApiError reads like the reference error', () => {
  const e = new ApiError(611, { path: 'https://farm/api/render/submit/task' });
  assert.equal(
    e.message,
    'Error code: 611, Error message: Invalid signature, URL: https://farm/api/render/submit/task',
  );
  assert.equal(String(e), e.message);
  assert.equal(e.symbol, 'SIGNATURE_INVALID');
  assert.equal(e.code, 611);
  assert.ok(e instanceof Error);
  const s = new ApiError(9999, { message: 'server said so', detail: { a: 1 } });
  assert.equal(s.symbol, 'UNKNOWN');
  assert.equal(s.errorMessage, 'server said so');
  assert.deepEqual(s.detail, { a: 1 });
  assert.equal(ApiError.of('LEASE_LOST').code, 7006);
});

test('envelopes carry the reference fields', () => {
  const before = Date.now();
  const ok = okEnvelope({ x: 1 }, 'r1');
  assert.deepEqual(
    { ...ok, serverTime: 0 },
    {
      version: '2.0.0',
      result: true,
      code: 200,
      message: 'success',
      data: { x: 1 },
      serverTime: 0,
      requestId: 'r1',
    },
  );
  assert.ok(ok.serverTime >= before);
  const bad = errorEnvelope(601, 'zh', 'r2', [{ path: 'taskId' }]);
  assert.equal(bad.result, false);
  assert.equal(bad.code, 601);
  assert.equal(bad.message, '缺少必填参数');
  assert.deepEqual(bad.data, [{ path: 'taskId' }]);
  assert.equal(errorEnvelope(500, 'en', 'r3').data, null);
});
