/**
 * The retry policy of an upload's requests: what a retry can fix (a network
 * cut, a farm restarting, a 5xx — see isRetryable) is tried again
 * after a doubling wait, up to a number of attempts; anything else fails at
 * once. The error is returned, not thrown: it belongs to the files of the
 * blob, and the upload goes on with the others.
 */
import { isRetryable } from './transfer-report.js';

/** The wait after attempt `n`: 0.5 s, 1 s, 2 s … up to 8 s. */
export function retryWaitMs(n: number): number {
  return Math.min(8000, 250 * 2 ** n);
}

/** Retry `attempt` while it fails with something a retry can fix; the last error, or undefined. */
export async function withRetries(attempts: number, attempt: () => Promise<void>): Promise<unknown> {
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return undefined;
    } catch (e) {
      if (!isRetryable(e) || n >= attempts) return e;
      await sleep(retryWaitMs(n));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
