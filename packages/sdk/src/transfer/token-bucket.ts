/**
 * A token bucket shared by every concurrent transfer of one upload or download,
 * so `maxSpeed` caps the total rate, not each stream's.
 */

/** `maxSpeed` is in KB/s as in the reference (its default 1048576 KB/s is 1 GB/s). */
export const KB = 1024;

/** Chunks are cut to this size before they take tokens, so streams interleave smoothly. */
const SLICE = 64 * KB;

export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param bytesPerSecond sustained rate
   * @param burstBytes how much may pass at once after an idle period (default: 1/10 s of traffic, at least one slice)
   */
  constructor(
    readonly bytesPerSecond: number,
    private readonly burstBytes = Math.max(SLICE, bytesPerSecond / 10),
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) {
      throw new RangeError(`token bucket: rate must be a positive number of bytes/s, got ${bytesPerSecond}`);
    }
    this.tokens = this.burstBytes;
    this.last = this.now();
  }

  /** A bucket for a `maxSpeed` in KB/s, or undefined for "no limit" (absent or 0). */
  static fromKBps(maxSpeedKBps: number | undefined): TokenBucket | undefined {
    if (maxSpeedKBps === undefined || maxSpeedKBps === 0) return undefined;
    if (!(maxSpeedKBps > 0) || !Number.isFinite(maxSpeedKBps)) {
      throw new RangeError(`maxSpeed must be a positive number of KB/s, got ${maxSpeedKBps}`);
    }
    return new TokenBucket(maxSpeedKBps * KB);
  }

  /**
   * Take `n` bytes' worth of tokens, waiting until the rate allows them. The
   * balance may go negative: concurrent callers queue behind the debt, which
   * keeps the shared rate exact without a queue of waiters.
   */
  async take(n: number): Promise<void> {
    const t = this.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((t - this.last) * this.bytesPerSecond) / 1000);
    this.last = t;
    this.tokens -= n;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens * 1000) / this.bytesPerSecond;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** Pass chunks through a bucket (unchanged when there is none). */
export async function* throttle(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  bucket: TokenBucket | undefined,
): AsyncGenerator<Uint8Array> {
  if (bucket === undefined) {
    yield* source;
    return;
  }
  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i += SLICE) {
      const part = chunk.subarray(i, Math.min(chunk.length, i + SLICE));
      await bucket.take(part.length);
      yield part;
    }
  }
}
