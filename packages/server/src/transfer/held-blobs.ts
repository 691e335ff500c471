/** Which blobs a user has proven to hold (see TransferUserBlobsTable for why this is per user). */
import type { Kysely } from 'kysely';
import type { BlobKey } from '../blob/index.js';
import type { Database } from '../store/database.js';
import './tables.js';

/** Bound parameters per lookup statement, below every dialect's limit. */
const SLICE = 400;

export function blobKeyText(key: BlobKey): string {
  return `${key.sha256}:${key.size}`;
}

export async function recordHeldBlob(db: Kysely<Database>, userId: number, key: BlobKey): Promise<void> {
  await db
    .insertInto('transfer_user_blobs')
    .values({ user_id: userId, sha256: key.sha256, size: key.size, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['user_id', 'sha256', 'size']).doNothing())
    .execute();
}

/** Record several at once (a batch upload's blobs): one statement per slice instead of one per blob. */
export async function recordHeldBlobs(
  db: Kysely<Database>,
  userId: number,
  keys: readonly BlobKey[],
): Promise<void> {
  const now = Date.now();
  // Four parameters a row: stay below every dialect's limit on bound parameters.
  for (let i = 0; i < keys.length; i += SLICE / 4) {
    const rows = keys
      .slice(i, i + SLICE / 4)
      .map((k) => ({ user_id: userId, sha256: k.sha256, size: k.size, created_at: now }));
    await db
      .insertInto('transfer_user_blobs')
      .values(rows)
      .onConflict((oc) => oc.columns(['user_id', 'sha256', 'size']).doNothing())
      .execute();
  }
}

/** The subset of `keys` the user holds, as blobKeyText strings. */
export async function heldBlobs(
  db: Kysely<Database>,
  userId: number,
  keys: readonly BlobKey[],
): Promise<Set<string>> {
  const held = new Set<string>();
  for (let i = 0; i < keys.length; i += SLICE) {
    const slice = keys.slice(i, i + SLICE);
    const rows = await db
      .selectFrom('transfer_user_blobs')
      .select(['sha256', 'size'])
      .where('user_id', '=', userId)
      .where(
        'sha256',
        'in',
        slice.map((k) => k.sha256),
      )
      .execute();
    for (const r of rows) held.add(blobKeyText({ sha256: r.sha256, size: Number(r.size) }));
  }
  return held;
}
