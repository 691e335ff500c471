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
  (await QuotaBudget.of(db, userId, defaultMaxBytes)).reserve(extraBytes);
}

/**
 * One request's view of a user's quota, read once: a batch of 256 small blobs
 * then costs one quota query instead of one per blob, and the blobs of the
 * batch are counted against each other. (Two requests running at once each
 * see the bytes used before either began.)
 */
export class QuotaBudget {
  private constructor(
    private readonly max: number | undefined,
    /** Read up front: reserve() must not await, or two blobs of a batch could both fit the last bytes. */
    private used: number,
  ) {}

  static async of(
    db: Kysely<Database>,
    userId: number,
    defaultMaxBytes: number | undefined,
  ): Promise<QuotaBudget> {
    const row = await db
      .selectFrom('transfer_quotas')
      .select('max_bytes')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const max = row !== undefined ? Number(row.max_bytes) : defaultMaxBytes;
    return new QuotaBudget(max, max === undefined ? 0 : await usedTransferBytes(db, userId));
  }

  get limited(): boolean {
    return this.max !== undefined;
  }

  /** Count `extraBytes` more, or throw QUOTA_EXCEEDED (counting nothing) when they do not fit. */
  reserve(extraBytes: number): void {
    if (this.max === undefined) return;
    if (this.used + extraBytes > this.max) {
      throw ApiError.of('QUOTA_EXCEEDED', {
        detail: `storing ${extraBytes} more bytes would exceed the quota: ${this.used} of ${this.max} bytes used`,
      });
    }
    this.used += extraBytes;
  }
}
