/**
 * What the client retries and how long it waits. The reference retried every
 * exception five times, business errors included (§8.2.7); here only what can
 * succeed on a second try is retried:
 * - network failures and timeouts (nothing was answered);
 * - 5xx, from the HTTP status or the envelope code (the server failed, not the request);
 * - 610 SIGNATURE_EXPIRED, re-signed with a fresh timestamp corrected by the
 *   server's clock;
 * - 7001 NONCE_REPLAYED, because every attempt carries a fresh nonce;
 * - 7020 SERVER_BUSY, answered before the body is read when the server's
 *   budget of unverified bodies is full: the request was never looked at.
 * Never 611 (a wrong key stays wrong), 6xx validation or business errors.
 */
import { ERRORS } from '@openfarm/protocol';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before the second attempt, before jitter, in milliseconds. */
  baseDelayMs: number;
  /** Upper bound of any single delay, in milliseconds. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };

/** Envelope codes worth another signed attempt. */
export function isRetryableCode(code: number): boolean {
  if (
    code === ERRORS.SIGNATURE_EXPIRED.code ||
    code === ERRORS.NONCE_REPLAYED.code ||
    code === ERRORS.SERVER_BUSY.code
  )
    return true;
  return code >= 500 && code <= 599;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): exponential,
 * capped, with "equal jitter" — half fixed, half random — so clients that
 * failed together do not come back together, yet never retry instantly.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1 || policy.attempts > 20) {
    throw new TypeError(`retry.attempts must be an integer from 1 to 20, got ${policy.attempts}`);
  }
  if (!(policy.baseDelayMs >= 0) || !(policy.maxDelayMs >= policy.baseDelayMs)) {
    throw new TypeError('retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs');
  }
  return policy;
}
