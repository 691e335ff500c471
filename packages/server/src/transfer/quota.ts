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
    // A completed session's blob is counted among the held ones.
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return Number(held?.n ?? 0) + Number(pending?.n ?? 0);
}

/**
 * What this server has promised but not yet written down: bytes reserved by
 * requests still running, and bytes recorded since a request read the
 * database. Without it, requests running at once each saw the usage from
 * before any of them began, so eight uploads started together could each
 * take the last free bytes. Shared by every request of one server process;
 * servers sharing a database still only see each other through it.
 */
export class QuotaLedger {
  private readonly inFlight = new Map<number, number>();
  /** Bytes recorded per user since this process started; only ever grows. */
  private readonly recorded = new Map<number, number>();

  /** A mark to take just before reading the user's usage from the database. */
  mark(userId: number): number {
    return this.recorded.get(userId) ?? 0;
  }

  /** Bytes not in a usage read made after `mark`, or possibly not (counted, to stay on the safe side). */
  unseen(userId: number, mark: number): number {
    return (this.inFlight.get(userId) ?? 0) + (this.recorded.get(userId) ?? 0) - mark;
  }

  hold(userId: number, bytes: number): void {
    this.inFlight.set(userId, (this.inFlight.get(userId) ?? 0) + bytes);
  }

  /** `held` bytes are no longer in flight; `recordedBytes` of them are now in the database. */
  settle(userId: number, held: number, recordedBytes: number): void {
    const left = (this.inFlight.get(userId) ?? 0) - held;
    if (left > 0) this.inFlight.set(userId, left);
    else this.inFlight.delete(userId);
    if (recordedBytes > 0) this.recorded.set(userId, (this.recorded.get(userId) ?? 0) + recordedBytes);
  }
}

/**
 * One request's view of a user's quota: the usage is read once (a batch of
 * 256 small blobs costs one quota query, not one per blob), and what the other
 * requests of this server reserved or recorded meanwhile is added from the
 * ledger at each reservation. Call `settle` once the reserved bytes are in the
 * database (or were not stored after all).
 */
export class QuotaBudget {
  /** Bytes this request reserved and has not settled. */
  private held = 0;

  private constructor(
    private readonly max: number | undefined,
    /** Read up front: reserve() must not await, or two blobs of a batch could both fit the last bytes. */
    private readonly used: number,
    private readonly userId: number,
    private readonly ledger: QuotaLedger,
    private readonly mark: number,
  ) {}

  static async of(
    db: Kysely<Database>,
    userId: number,
    defaultMaxBytes: number | undefined,
    ledger: QuotaLedger,
  ): Promise<QuotaBudget> {
    const row = await db
      .selectFrom('transfer_quotas')
      .select('max_bytes')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const max = row !== undefined ? Number(row.max_bytes) : defaultMaxBytes;
    const mark = ledger.mark(userId);
    const used = max === undefined ? 0 : await usedTransferBytes(db, userId);
    return new QuotaBudget(max, used, userId, ledger, mark);
  }

  get limited(): boolean {
    return this.max !== undefined;
  }

  /** Count `extraBytes` more, or throw QUOTA_EXCEEDED (counting nothing) when they do not fit. */
  reserve(extraBytes: number): void {
    if (this.max === undefined) return;
    const used = this.used + this.ledger.unseen(this.userId, this.mark);
    if (used + extraBytes > this.max) {
      throw ApiError.of('QUOTA_EXCEEDED', {
        detail: `storing ${extraBytes} more bytes would exceed the quota: ${used} of ${this.max} bytes used`,
      });
    }
    this.ledger.hold(this.userId, extraBytes);
    this.held += extraBytes;
  }

  /** The reservations end: `recordedBytes` of them are now in the database, the rest were not stored. */
  settle(recordedBytes: number): void {
    this.ledger.settle(this.userId, this.held, Math.min(recordedBytes, this.held));
    this.held = 0;
  }
}
