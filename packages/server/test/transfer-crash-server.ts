/**
 * A farm with the transfer routes in its own process, for the crash test to
 * kill -9 and start again on the same data directory and port.
 * Usage: transfer-crash-server.ts <dataDir> <port> [create-user]
 * Prints one JSON line once listening: `{"url", "user"?}`.
 */
import { createUser, startServer } from '@openfarm/server';
import { transferPlugin } from '../src/transfer/index.js';

const [dataDir, port, mode] = process.argv.slice(2);
if (dataDir === undefined || port === undefined)
  throw new Error('usage: transfer-crash-server.ts <dataDir> <port> [create-user]');
const server = await startServer({
  dataDir,
  port: Number(port),
  logLevel: 'silent',
  plugins: [transferPlugin()],
});
const user = mode === 'create-user' ? await createUser(server.farm.store.db, 'crash') : undefined;
console.log(JSON.stringify({ url: server.url, ...(user !== undefined ? { user } : {}) }));
