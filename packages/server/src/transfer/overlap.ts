/**
 * At most `limit` operations in flight, started one by one by a loop that
 * keeps reading its input meanwhile. The first failure is thrown by the next
 * `add` or by `drain`, once every started operation has settled (nothing is
 * left running behind the caller's error).
 */
export class Overlap {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Track `op`; resolves when there is room for another (or throws an earlier failure). */
  async add(op: Promise<void>): Promise<void> {
    const tracked = op.then(
      () => {
        this.running.delete(tracked);
      },
      (error: unknown) => {
        this.running.delete(tracked);
        this.failure ??= { error };
      },
    );
    this.running.add(tracked);
    while (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure !== undefined) {
      await this.drain();
    }
  }

  /** Wait for everything started; throw the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure !== undefined) throw this.failure.error;
  }
}
