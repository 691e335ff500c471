/**
 * A render node as its own process, for tests that kill it:
 *   node --conditions=source --import tsx node-process.ts SERVER TOKEN WORK_DIR
 * Prints "registered" once it polls for work.
 */
import { Agent } from '@openfarm/worker';

const [server, token, workDir] = process.argv.slice(2);
if (server === undefined || token === undefined || workDir === undefined) {
  console.error('usage: node-process.ts SERVER TOKEN WORK_DIR');
  process.exit(2);
}
const agent = await Agent.create({ server, token, workDir, threads: 1, log: (m) => console.log(m) });
await agent.register();
console.log('registered');
await agent.run();
