/**
 * A farm in its own process, so the memory attack test can read the server's
 * own resident memory (/proc/<pid>/status) while it is attacked.
 * Usage: memory-farm-child.ts <dataDir>
 * Prints one JSON line once listening: `{"url", "user"}`.
 */
import { createUser, startServer, transferPlugin } from '@openfarm/server';

const [dataDir] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: memory-farm-child.ts <dataDir>');
const server = await startServer({ dataDir, port: 0, logLevel: 'silent', plugins: [transferPlugin()] });
const user = await createUser(server.farm.store.db, 'victim');
console.log(JSON.stringify({ url: server.url, user }));
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
