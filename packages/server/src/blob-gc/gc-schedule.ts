/**
 * `openfarm server --gc-interval`: output retention (each account's, and the
 * farm's default when set) then the garbage collector, every so often in the
 * server process. Runs never overlap; a failed run is logged and the next one
 * tried at the next tick. Several servers may run it at once (collect-garbage.ts:
 * every step is idempotent), though one is enough.
 */
import type { Kysely } from 'kysely';
import type { BlobCollection } from '../blob/index.js';
import type { Database } from '../store/database.js';
import { collectGarbage, type GarbageReport } from './collect-garbage.js';
import { expireOutputs } from './output-retention.js';

export interface GcScheduleOptions {
  readonly db: Kysely<Database>;
  readonly blobs: BlobCollection;
  readonly intervalMs: number;
  readonly graceMs?: number;
  /** The farm's default output retention (accounts may have their own); absent: outputs kept by default. */
  readonly outputRetentionMs?: number;
  readonly onRun?: (report: GarbageReport & { expiredOutputs: number }) => void;
  readonly onError?: (err: unknown) => void;
}

export function startGcSchedule(options: GcScheduleOptions): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const run = async () => {
    const expired = (
      await expireOutputs(
        options.db,
        options.outputRetentionMs === undefined ? {} : { defaultRetentionMs: options.outputRetentionMs },
      )
    ).outputs;
    const report = await collectGarbage({
      db: options.db,
      blobs: options.blobs,
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
    options.onRun?.({ ...report, expiredOutputs: expired });
  };
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = run()
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
