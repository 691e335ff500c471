/**
 * Per-user quotas on the bytes a user holds in the blob store: the blobs they
 * uploaded (each counted once, however many paths name it) plus the declared
 * size of their unfinished uploads, so a quota cannot be dodged by starting
 * many uploads at once, plus the bytes requests reserved and have not yet
 * recorded (transfer_quota_holds), whichever server they run on.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '@openfarm/protocol';
import { type Kysely, PostgresAdapter, sql } from 'kysely';
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

export async function usedTransferBytes(
  db: Kysely<Database>,
  userId: number,
  nowMs = Date.now(),
): Promise<number> {
  // One statement, so one snapshot: as three, a request recording its blob and then dropping
  // its hold between the reads was counted in neither sum on PostgreSQL (each statement sees
  // what was committed when it began), and another server fitted bytes that were not free.
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('transfer_user_blobs')
        .select(sql<number | string | null>`sum(size)`.as('n'))
        .where('user_id', '=', userId)
        .as('held'),
      eb
        .selectFrom('transfer_uploads')
        .select(sql<number | string | null>`sum(size)`.as('n'))
        .where('user_id', '=', userId)
        // A completed session's blob is counted among the held ones.
        .where('completed_at', 'is', null)
        .as('pending'),
      eb
        .selectFrom('transfer_quota_holds')
        .select(sql<number | string | null>`sum(bytes)`.as('n'))
        .where('user_id', '=', userId)
        .where('expires_at', '>', nowMs)
        .as('reserved'),
    ])
    .executeTakeFirstOrThrow();
  return Number(row.held ?? 0) + Number(row.pending ?? 0) + Number(row.reserved ?? 0);
}

/**
 * How long a reservation counts if its request never settles it (its server
 * was killed): longer than any one request runs.
 */
export const QUOTA_HOLD_TTL_MS = 3600 * 1000;

/** The advisory lock's first key on PostgreSQL ("quota"); the second is the user id. */
const QUOTA_LOCK = 0x71756f74;

/**
 * One request's reservations against a user's quota. Each `reserve` checks
 * the usage and writes a hold in one transaction, serialized per user (an
 * advisory lock on PostgreSQL; SQLite runs one write transaction at a time),
 * so requests on any number of servers sharing the database can never
 * together take more than the quota: before, each server only knew its own
 * requests in flight, and two could each fit the last free bytes. Call
 * `settle` once the reserved bytes are recorded (or were not stored after
 * all): the holds go, and what was recorded counts from then on.
 */
export class QuotaBudget {
  private holds: string[] = [];

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly max: number | undefined,
    private readonly userId: number,
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
    return new QuotaBudget(db, max, userId);
  }

  get limited(): boolean {
    return this.max !== undefined;
  }

  /** Count `extraBytes` more, or throw QUOTA_EXCEEDED (counting nothing) when they do not fit. */
  async reserve(extraBytes: number): Promise<void> {
    const max = this.max;
    if (max === undefined) return;
    const id = randomUUID();
    const postgres = this.db.getExecutor().adapter instanceof PostgresAdapter;
    await this.db.transaction().execute(async (trx) => {
      if (postgres) await sql`select pg_advisory_xact_lock(${QUOTA_LOCK}, ${this.userId})`.execute(trx);
      const now = Date.now();
      const used = await usedTransferBytes(trx, this.userId, now);
      if (used + extraBytes > max) {
        throw ApiError.of('QUOTA_EXCEEDED', {
          detail: `storing ${extraBytes} more bytes would exceed the quota: ${used} of ${max} bytes used`,
        });
      }
      await trx
        .insertInto('transfer_quota_holds')
        .values({ id, user_id: this.userId, bytes: extraBytes, expires_at: now + QUOTA_HOLD_TTL_MS })
        .execute();
    });
    this.holds.push(id);
  }

  /** The reservations end: what was stored is recorded by now, the rest was not stored. */
  async settle(): Promise<void> {
    const ids = this.holds;
    this.holds = [];
    if (ids.length > 0) await this.db.deleteFrom('transfer_quota_holds').where('id', 'in', ids).execute();
  }
}

/** Remove the holds of requests that never settled (their server was killed). */
export async function sweepQuotaHolds(db: Kysely<Database>, nowMs = Date.now()): Promise<void> {
  await db.deleteFrom('transfer_quota_holds').where('expires_at', '<=', nowMs).execute();
}
