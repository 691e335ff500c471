/**
 * A Node process that starts `sh -c SCRIPT` under supervision with
 * `dieWithParent`, prints `pid N` once it runs, and waits; supervise.test.ts
 * kills it with SIGKILL.
 *   node --conditions=source --import tsx supervised-child.ts SCRIPT
 */
import { runSupervised } from '@openfarm/worker';

await runSupervised(
  { executable: 'sh', args: ['-c', process.argv[2] ?? 'sleep 300'] },
  { dieWithParent: true, onSpawn: (pid) => console.log(`pid ${pid}`) },
);
