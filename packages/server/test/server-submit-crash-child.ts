/**
 * A farm with the scheduler in its own process, for the submit crash test to
 * kill -9 in the middle of a submit and start again on the same data directory.
 * Usage: server-submit-crash-child.ts <dataDir> <port> [create-user]
 * Prints one JSON line once listening: `{"url", "user"?}`.
 */
import { createUser, schedulerPlugin, startServer } from '@openfarm/server';

const [dataDir, port, mode] = process.argv.slice(2);
if (dataDir === undefined || port === undefined)
  throw new Error('usage: server-submit-crash-child.ts <dataDir> <port> [create-user]');
const server = await startServer({
  dataDir,
  port: Number(port),
  logLevel: 'silent',
  plugins: [schedulerPlugin()],
});
const user = mode === 'create-user' ? await createUser(server.farm.store.db, 'crash') : undefined;
console.log(JSON.stringify({ url: server.url, ...(user !== undefined ? { user } : {}) }));
