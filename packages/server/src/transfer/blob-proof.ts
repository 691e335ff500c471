/**
 * Bytes a client sends are its proof that it holds a blob. When the blob is
 * stored already (by anyone), the bytes are still read and hashed, then
 * dropped: deduplication saves disk, never the proof. The check is the farm's
 * own, so it holds whatever a blob store does with an object it already has.
 */
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ApiError } from '@openfarm/protocol';
import { writeBodyAt } from '../blob/body-writer.js';
import { BlobHashMismatchError, type BlobKey, type BlobStore } from '../blob/index.js';

/** SHA-256 and length of a body, read to its end. */
export async function digestOf(body: Uint8Array | AsyncIterable<Uint8Array>): Promise<BlobKey> {
  const hash = createHash('sha256');
  if (body instanceof Uint8Array) return { sha256: hash.update(body).digest('hex'), size: body.length };
  let size = 0;
  for await (const piece of body) {
    hash.update(piece);
    size += piece.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The answer to bytes that are not the blob they claim to be: the same whether the blob is stored or not. */
function mismatch(e: BlobHashMismatchError): ApiError {
  return ApiError.of('HASH_MISMATCH', { detail: e.message });
}

/** Throw HASH_MISMATCH unless `actual` is `key`. */
function assertProven(key: BlobKey, actual: BlobKey): void {
  if (actual.sha256 !== key.sha256 || actual.size !== key.size)
    throw mismatch(new BlobHashMismatchError(key, actual));
}

/**
 * Store `body` under `key` once its bytes are verified; returns false when the
 * blob was stored already and the bytes, verified, were dropped. A new blob is
 * verified by the store as it writes it (BlobStore.put's contract).
 */
export async function storeProven(
  blobs: BlobStore,
  key: BlobKey,
  body: Uint8Array | AsyncIterable<Uint8Array>,
): Promise<boolean> {
  if (await blobs.has(key)) {
    assertProven(key, await digestOf(body));
    return false;
  }
  try {
    await blobs.put(key, body);
  } catch (e) {
    if (e instanceof BlobHashMismatchError) throw mismatch(e);
    throw e;
  }
  return true;
}

/**
 * Store a streamed body the way a user's upload must be: written to `file` (a
 * fresh staging path) and hashed, then refused, dropped (the blob is stored
 * already) or handed to the store. Wrong bytes thus cost the same work whether
 * or not the farm has the blob, so neither the answer nor its time tells a
 * user who only knows a hash that the blob exists (a store writing a new
 * object, and syncing it, before it can compare would answer a wrong body for
 * a new blob tens of milliseconds later than for a stored one).
 */
export async function storeProvenStaged(
  blobs: BlobStore,
  key: BlobKey,
  body: AsyncIterable<Buffer>,
  file: string,
  direct: boolean,
): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    await writeFile(file, new Uint8Array(0), { flag: 'wx' });
    await writeBodyAt(
      file,
      0,
      body,
      (piece) => {
        hash.update(piece);
        size += piece.length;
      },
      { direct },
    );
    const digest = { sha256: hash.digest('hex'), size };
    assertProven(key, digest);
    if (!(await blobs.has(key))) {
      try {
        await blobs.putFile(key, file, digest);
      } catch (e) {
        if (e instanceof BlobHashMismatchError) throw mismatch(e);
        throw e;
      }
    }
  } finally {
    await rm(file, { force: true });
  }
}
