/**
 * What autoDownload rides out (farm-outage.ts): failures the farm or the network
 * caused, never a refusal a retry cannot change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { isFarmOutage, OutageBackoff } from '../src/transfer/farm-outage.js';

test('a farm answering 5xx or busy (7020) after the client’s retries is an outage', () => {
  assert.equal(isFarmOutage(new ApiError(500)), true);
  assert.equal(isFarmOutage(new ApiError(503)), true);
  // Before: 7020 ended autoDownload although the client itself retries it.
  assert.equal(isFarmOutage(ApiError.of('SERVER_BUSY')), true);
});

test('refusals a retry cannot change are not an outage', () => {
  assert.equal(isFarmOutage(ApiError.of('SIGNATURE_INVALID')), false);
  assert.equal(isFarmOutage(ApiError.of('PARAMETER_INVALID')), false);
  assert.equal(isFarmOutage(ApiError.of('RESOURCE_NOT_FOUND')), false);
});

test('the outage wait doubles from 1 s up to the cap and keeps when the outage began', () => {
  let now = 1_000_000;
  const backoff = new OutageBackoff(5, () => now);
  assert.equal(backoff.down, false);
  const waits = [1, 2, 3, 4].map(() => {
    const u = backoff.failed('refused');
    now += u.retryInMs;
    return u.retryInMs;
  });
  assert.deepEqual(waits, [1000, 2000, 4000, 5000]);
  assert.equal(backoff.failed('refused').since.getTime(), 1_000_000);
  const back = backoff.succeeded();
  assert.equal(back?.downMs, 12_000);
  assert.equal(backoff.down, false);
  assert.equal(backoff.succeeded(), undefined);
  assert.equal(backoff.failed('again').retryInMs, 1000);
});
