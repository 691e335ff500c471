/**
 * A server's completion of a resumable upload staged as S3 parts, in its own
 * process, killed with SIGKILL at one step of it (for transfer-s3-staging.test).
 * Usage: transfer-s3-staging-child.ts <store: sqlite file or postgres URL> <s3 options JSON> <userId> <uploadId> <step> <stagingDir>
 * Steps: `tail-part` (before the last part is sent), `complete` (before the
 * multipart upload is completed), `completed` (after it, before the database
 * records it). Prints nothing; exits only through the kill.
 */
import type { BlobKey, StagedPart } from '@openfarm/protocol';
import { S3BlobStore, type S3BlobStoreOptions } from '@openfarm/blob-s3';
import { openPostgresStore, openSqliteStore } from '@openfarm/server';
import { UploadSessions } from '../src/transfer/upload-sessions.js';

const [where, s3, userId, uploadId, step, stagingDir] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const store = where.startsWith('postgres') ? openPostgresStore(where, 2) : openSqliteStore(where);
const blobs = await S3BlobStore.open(JSON.parse(s3) as S3BlobStoreOptions);
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const put = blobs.putStagedPart.bind(blobs);
const complete = blobs.completeStaged.bind(blobs);
blobs.putStagedPart = async (key: BlobKey, handle: string, n: number, bytes: Uint8Array) => {
  if (step === 'tail-part') die();
  return put(key, handle, n, bytes);
};
blobs.completeStaged = async (key: BlobKey, handle: string, parts: readonly StagedPart[]) => {
  if (step === 'complete') die();
  await complete(key, handle, parts);
  if (step === 'completed') die();
};
const sessions = await UploadSessions.open({
  db: store.db,
  blobs,
  stagingDir,
});
await sessions.complete(Number(userId), uploadId);
console.error('completion ended without reaching the step to die at');
process.exit(3);
