/**
 * Output retention: the reference farm keeps rendered outputs for a limited time.
 * Off by default. Each account's outputs expire after its retention
 * (account-retention.ts: its own setting, its main account's, or the farm's
 * default given as `openfarm blobs gc --output-retention 30d` or the server's
 * schedule): output storage entries not written for that long are removed, then
 * the proofs of holding their blobs (transfer_user_blobs rows) that no storage
 * entry of the same user still needs, which also gives the bytes back to the
 * user's quota. The garbage collector then frees blobs nothing else references.
 * Inputs and job files (input and config storage) are never expired.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import '../transfer/tables.js';
import { effectiveOutputRetentions } from './account-retention.js';

export interface RetentionReport {
  /** Output storage entries removed. */
  outputs: number;
  /** Held-blob rows removed with them. */
  heldRows: number;
}

export interface ExpireOutputsOptions {
  /** The farm's retention for accounts without their own (and whose main account has none); absent: kept. */
  readonly defaultRetentionMs?: number;
  readonly nowMs?: number;
}

/** Remove each account's output entries older than its retention, and the held rows only they needed. */
export async function expireOutputs(
  db: Kysely<Database>,
  options: ExpireOutputsOptions = {},
): Promise<RetentionReport> {
  const now = options.nowMs ?? Date.now();
  const retention = await effectiveOutputRetentions(db, options.defaultRetentionMs);
  const owners = await db
    .selectFrom('transfer_manifest')
    .select('user_id')
    .distinct()
    .where('storage', '=', 'output')
    .execute();
  const report: RetentionReport = { outputs: 0, heldRows: 0 };
  for (const { user_id } of owners) {
    const ms = retention.of(user_id);
    if (ms === undefined) continue;
    const r = await expireUserOutputs(db, user_id, now - ms);
    report.outputs += r.outputs;
    report.heldRows += r.heldRows;
  }
  return report;
}

/** One account's expiry, in one transaction: its entries written before `beforeMs` and the held rows they alone needed. */
async function expireUserOutputs(
  db: Kysely<Database>,
  userId: number,
  beforeMs: number,
): Promise<RetentionReport> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('transfer_manifest')
      .select(['sha256', 'size'])
      .distinct()
      .where('user_id', '=', userId)
      .where('storage', '=', 'output')
      .where('updated_at', '<', beforeMs)
      .execute();
    if (expired.length === 0) return { outputs: 0, heldRows: 0 };
    const outputs = await trx
      .deleteFrom('transfer_manifest')
      .where('user_id', '=', userId)
      .where('storage', '=', 'output')
      .where('updated_at', '<', beforeMs)
      .executeTakeFirst();
    let heldRows = 0;
    for (const e of expired) {
      const still = await trx
        .selectFrom('transfer_manifest')
        .select('path')
        .where('user_id', '=', userId)
        .where('sha256', '=', e.sha256)
        .where('size', '=', e.size)
        .limit(1)
        .executeTakeFirst();
      if (still !== undefined) continue;
      const r = await trx
        .deleteFrom('transfer_user_blobs')
        .where('user_id', '=', userId)
        .where('sha256', '=', e.sha256)
        .where('size', '=', e.size)
        .executeTakeFirst();
      heldRows += Number(r.numDeletedRows);
    }
    return { outputs: Number(outputs.numDeletedRows), heldRows };
  });
}
