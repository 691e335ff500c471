/**
 * The scheduler as a server plugin:
 * `createServer({ dataDir, plugins: [transferPlugin(), schedulerPlugin()] })`.
 * It starts the reaper with the server and stops it on close. Blobs default to
 * the same `<dataDir>/blobs` folder the transfer plugin uses, so outputs a node
 * uploads are downloadable through the transfer routes.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BlobStore, LocalBlobStore } from '../blob/index.js';
import type { SchedulerPolicy } from './policy.js';
import { registerSchedulerRoutes } from './routes.js';
import { Scheduler } from './scheduler.js';

export interface SchedulerOptions {
  readonly policy?: Partial<SchedulerPolicy>;
  /** Default: a LocalBlobStore in `<dataDir>/blobs`. */
  readonly blobs?: BlobStore;
  /** Receives the scheduler once it exists (tests and `openfarm up` drive or inspect it). */
  readonly onScheduler?: (scheduler: Scheduler) => void;
}

export function schedulerPlugin(options: SchedulerOptions = {}): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    let blobs = options.blobs;
    if (blobs === undefined) {
      const dataDir = app.farm.dataDir;
      if (dataDir === undefined)
        throw new Error('scheduler: pass blobs when the server has no data directory');
      const owned = await LocalBlobStore.open(join(dataDir, 'blobs'));
      app.addHook('onClose', async () => owned.close());
      blobs = owned;
    }
    const scheduler = new Scheduler(app.farm.store.db, app.farm.store.dialect, app.farm.events, {
      policy: options.policy,
      jobFileSources: app.farm.jobFileSources,
      onReapError: (err) => app.log.error({ err }, 'scheduler: reaper pass failed'),
    });
    scheduler.start();
    // preClose, not onClose: fastify lets in-flight requests finish before onClose,
    // and a long poll would hold the close for up to its full wait.
    app.addHook('preClose', async () => scheduler.stop());
    options.onScheduler?.(scheduler);
    await registerSchedulerRoutes(app, { scheduler, blobs });
  };
}
