/**
 * Which blobs a user has proven to hold (see TransferUserBlobsTable for why
 * this is per user). A user may name a blob in a manifest, or skip sending its
 * bytes, only when they hold it: they sent bytes the farm hashed, or the main
 * account whose assets they share did. Knowing a hash proves nothing.
 */
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import { blobKeyText } from '../blob/blob-key-text.js';
import type { BlobKey } from '../blob/index.js';
import type { Database } from '../store/database.js';
import './tables.js';

/** Who uploads: a user id, or the user's row when its main-account sharing matters. */
export type BlobUser = number | Pick<UserRow, 'id' | 'main_user_id' | 'share_main_capital'>;

/** The id the user's proven blobs are recorded (and counted against a quota) under. */
export function blobUserId(user: BlobUser): number {
  return typeof user === 'number' ? user : user.id;
}

/**
 * The accounts whose held blobs the user may use without sending them: their
 * own, and the main account's when they share its assets (they read and write
 * its input storage, so its files are theirs already).
 */
export function blobHolderIds(user: BlobUser): number[] {
  if (typeof user === 'number') return [user];
  if (user.share_main_capital !== 0 && user.main_user_id !== null) return [user.id, user.main_user_id];
  return [user.id];
}

/** Bound parameters per lookup statement, below every dialect's limit. */
const SLICE = 400;

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

/** The subset of `keys` the user holds (see blobHolderIds), as blobKeyText strings. */
export async function heldBlobs(
  db: Kysely<Database>,
  user: BlobUser,
  keys: readonly BlobKey[],
): Promise<Set<string>> {
  const held = new Set<string>();
  const holders = blobHolderIds(user);
  for (let i = 0; i < keys.length; i += SLICE) {
    const slice = keys.slice(i, i + SLICE);
    const rows = await db
      .selectFrom('transfer_user_blobs')
      .select(['sha256', 'size'])
      .where('user_id', 'in', holders)
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

/** Whether the user holds one blob (see blobHolderIds). */
export async function holdsBlob(db: Kysely<Database>, user: BlobUser, key: BlobKey): Promise<boolean> {
  const held = await db
    .selectFrom('transfer_user_blobs')
    .select('size')
    .where('user_id', 'in', blobHolderIds(user))
    .where('sha256', '=', key.sha256)
    .where('size', '=', key.size)
    .executeTakeFirst();
  return held !== undefined;
}
