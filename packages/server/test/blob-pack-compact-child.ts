/**
 * A process that compacts a local store's packs and kills itself with SIGKILL at
 * the `occurrence`th time it reaches `step` (blob-pack-compact.test.ts), as a
 * power cut or an OOM kill would stop it.
 *
 * argv: store root, step name, occurrence
 */
import { LocalBlobStore } from '../src/blob/index.js';

const [root, stepName, occurrence] = process.argv.slice(2) as [string, string, string];
let seen = 0;
const store = await LocalBlobStore.open(root, { durable: true, packSmallObjects: false });
await store.compact({
  step: (name) => {
    if (name === stepName && ++seen === Number(occurrence)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without reaching the step\n');
await store.close();
