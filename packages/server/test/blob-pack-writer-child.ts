/**
 * A process that packs small objects into a local store until it is killed
 * (blob-local-packs.test.ts kills it with SIGKILL). Each object's key is printed
 * once `put` has resolved, that is once the store has said it is stored.
 *
 * argv: store root, "durable" | "fast"
 */
import { createHash, randomBytes } from 'node:crypto';
import { LocalBlobStore } from '../src/blob/index.js';

const [root, mode] = process.argv.slice(2) as [string, string];
const store = await LocalBlobStore.open(root, { durable: mode === 'durable' });
const one = async (): Promise<void> => {
  for (;;) {
    const bytes = randomBytes(1 + Math.floor(Math.random() * 40_000));
    const key = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    await store.put(key, bytes);
    process.stdout.write(`${JSON.stringify(key)}\n`);
  }
};
// Eight at a time, as a batch upload stores them.
await Promise.all(Array.from({ length: 8 }, one));
