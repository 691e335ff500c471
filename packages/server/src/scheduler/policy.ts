/** The scheduler's tunables, with the defaults a farm runs with. */

export interface SchedulerPolicy {
  /**
   * How long a lease lasts without a heartbeat. A node renews its leases with
   * every poll and progress report, so this only has to outlast a few missed
   * polls; it is how long a dead node's frames stay stuck before the reaper
   * hands them to someone else.
   */
  readonly leaseTtlMs: number;
  /** Longest a poll is held open waiting for work (the node's heartbeat interval when idle). */
  readonly maxPollMs: number;
  /** Times a failed frame is queued again before it is marked failed (4 runs in all by default). */
  readonly maxRetries: number;
  /** Failed frames of one task after which a node is kept off that task. */
  readonly blocklistAfter: number;
  /** How often the reaper looks for expired leases and timeouts. */
  readonly reapIntervalMs: number;
}

export const DEFAULT_POLICY: SchedulerPolicy = {
  leaseTtlMs: 60_000,
  maxPollMs: 25_000,
  maxRetries: 3,
  blocklistAfter: 3,
  reapIntervalMs: 2_000,
};
