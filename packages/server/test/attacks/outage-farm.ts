/**
 * A whole farm (transfer, config storage, scheduler) in its own process, for
 * the outage test to kill -9 and start again on the same data directory and port.
 * Usage: outage-farm.ts <dataDir> <port> [init | listen-after=<ms>]
 * Prints one JSON line once listening: `{"url", "user"?, "workerToken"?}`;
 * `init` creates the artist's account and a render node's token first;
 * `listen-after` opens the farm that long after the process started (once its
 * code is loaded, which takes seconds), so the test controls the outage's length.
 */
import {
  configStoragePlugin,
  createUser,
  createWorker,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';

const [dataDir, port, mode] = process.argv.slice(2);
if (dataDir === undefined || port === undefined)
  throw new Error('usage: outage-farm.ts <dataDir> <port> [init | listen-after=<ms>]');
const listenAfter = Number(/^listen-after=(\d+)$/.exec(mode ?? '')?.[1] ?? 0);
await new Promise((r) => setTimeout(r, listenAfter - performance.now()));
const server = await startServer({
  dataDir,
  port: Number(port),
  logLevel: 'silent',
  plugins: [
    transferPlugin(),
    configStoragePlugin(),
    // A short lease: a frame whose node went away with the farm is handed out again soon after the restart.
    schedulerPlugin({ policy: { leaseTtlMs: 3000, reapIntervalMs: 200, maxPollMs: 500 } }),
  ],
});
const init = mode === 'init';
const user = init ? await createUser(server.farm.store.db, 'outage') : undefined;
const worker = init ? await createWorker(server.farm.store.db, 'outage-node') : undefined;
console.log(
  JSON.stringify({
    url: server.url,
    ...(user !== undefined ? { user } : {}),
    ...(worker !== undefined ? { workerToken: worker.token } : {}),
  }),
);
