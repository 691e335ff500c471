/**
 * Following a task must outlive a farm that restarts or a network that drops
 * for minutes: such failures are an outage, waited out with a capped back-off,
 * while failures a retry cannot fix (a refused key 611, a disabled account, a
 * task the farm does not know) end the call as before.
 */
import { ApiError, ERRORS } from '@openfarm/protocol';
import { isRetryable } from './transfer-report.js';

/** Default cap of the wait between tries while the farm is unreachable, in seconds. */
export const DEFAULT_MAX_RETRY_WAIT = 30;
const FIRST_WAIT_MS = 1000;

/**
 * Whether `e` says the farm could not be reached or failed on its side (network
 * error, timeout, 5xx, 7020 busy): the same request may succeed once the farm is back.
 */
export function isFarmOutage(e: unknown): boolean {
  if (e instanceof ApiError) {
    // The client's own code for "no answer at all": the cause says what the socket did.
    if (e.code === ERRORS.SDK_ERROR.code) return e.cause !== undefined && isRetryable(e.cause);
    // A farm still busy (7020) after the client's own retries is as down as one answering 5xx.
    return e.code === ERRORS.SERVER_BUSY.code || (e.code >= 500 && e.code <= 599);
  }
  return isRetryable(e);
}

/** What one failed try during an outage tells the caller. */
export interface FarmUnreachable {
  /** When the first failed try of this outage ended. */
  since: Date;
  /** How long until the next try. */
  retryInMs: number;
  reason: string;
}

export interface FarmReachable {
  /** When the outage began (its first failed try). */
  since: Date;
  downMs: number;
}

/** One outage at a time: when it began, and the wait before the next try (1 s doubling up to the cap). */
export class OutageBackoff {
  private sinceMs: number | undefined;
  private failures = 0;
  private readonly maxMs: number;

  constructor(
    maxWaitSeconds = DEFAULT_MAX_RETRY_WAIT,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxWaitSeconds > 0) || !Number.isFinite(maxWaitSeconds)) {
      throw new TypeError(`maxRetryWait must be a positive number of seconds, got ${maxWaitSeconds}`);
    }
    this.maxMs = maxWaitSeconds * 1000;
  }

  /** Whether an outage is going on (its failures are reported once, here, not by every part). */
  get down(): boolean {
    return this.sinceMs !== undefined;
  }

  /** A try failed with an outage: what to report, including how long to wait. */
  failed(reason: string): FarmUnreachable {
    this.sinceMs ??= this.now();
    const retryInMs = Math.min(this.maxMs, FIRST_WAIT_MS * 2 ** this.failures);
    this.failures++;
    return { since: new Date(this.sinceMs), retryInMs, reason };
  }

  /** A try succeeded: the outage it ended, if there was one. */
  succeeded(): FarmReachable | undefined {
    const since = this.sinceMs;
    this.sinceMs = undefined;
    this.failures = 0;
    return since === undefined ? undefined : { since: new Date(since), downMs: this.now() - since };
  }
}

/** `20:41:07` in local time: when the farm was last seen, for a person reading a progress line. */
export function clockTime(d: Date): string {
  return d.toTimeString().slice(0, 8);
}
