/**
 * A render node with warm sessions as its own process, for the test that kills it:
 *   node --conditions=source --import tsx warm-node-process.ts SERVER TOKEN WORK_DIR
 */
import { Agent } from '@openfarm/worker';

const [server, token, workDir] = process.argv.slice(2);
if (server === undefined || token === undefined || workDir === undefined) {
  console.error('usage: warm-node-process.ts SERVER TOKEN WORK_DIR');
  process.exit(2);
}
const agent = await Agent.create({
  server,
  token,
  workDir,
  threads: 1,
  warm: {},
  log: (m) => console.log(m),
});
await agent.register();
console.log('registered');
await agent.run();
