/**
 * Per-user quotas on the bytes a user holds in the blob store: the blobs they
 * uploaded (each counted once, however many paths name it) plus the declared
 * size of their unfinished uploads, so a quota cannot be dodged by starting
 * many uploads at once.
 */
import { ApiError } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/database.js';
import './tables.js';

/** Set a user's quota in bytes; null removes it (the server's default applies). */
export async function setTransferQuota(
  db: Kysely<Database>,
  userId: number,
  maxBytes: number | null,
): Promise<void> {
  if (maxBytes === null) {
    await db.deleteFrom('transfer_quotas').where('user_id', '=', userId).execute();
    return;
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new RangeError(`quota must be a byte count, got ${maxBytes}`);
  await db
    .insertInto('transfer_quotas')
    .values({ user_id: userId, max_bytes: maxBytes })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ max_bytes: maxBytes }))
    .execute();
}

export async function usedTransferBytes(db: Kysely<Database>, userId: number): Promise<number> {
  const held = await db
    .selectFrom('transfer_user_blobs')
    .select(sql<number | string | null>`sum(size)`.as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const pending = await db
    .selectFrom('transfer_uploads')
    .select(sql<number | string | null>`sum(size)`.as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(held?.n ?? 0) + Number(pending?.n ?? 0);
}

/** Throw QUOTA_EXCEEDED when `extraBytes` more would take the user past their quota. */
export async function assertQuota(
  db: Kysely<Database>,
  userId: number,
  extraBytes: number,
  defaultMaxBytes: number | undefined,
): Promise<void> {
  const row = await db
    .selectFrom('transfer_quotas')
    .select('max_bytes')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const max = row !== undefined ? Number(row.max_bytes) : defaultMaxBytes;
  if (max === undefined) return;
  const used = await usedTransferBytes(db, userId);
  if (used + extraBytes > max) {
    throw ApiError.of('QUOTA_EXCEEDED', {
      detail: `storing ${extraBytes} more bytes would exceed the quota: ${used} of ${max} bytes used`,
    });
  }
}
