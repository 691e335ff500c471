/**
 * Output retention: the reference farm keeps rendered outputs for a limited time.
 * Off by default; `openfarm blobs gc --output-retention 30d` (or the server's
 * schedule) removes output storage entries not written for that long, then the
 * proofs of holding their blobs (transfer_user_blobs rows) that no storage entry
 * of the same user still needs, which also gives the bytes back to the user's
 * quota. The garbage collector then frees blobs nothing else references.
 * Inputs and job files (input and config storage) are never expired.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import '../transfer/tables.js';

export interface RetentionReport {
  /** Output storage entries removed. */
  outputs: number;
  /** Held-blob rows removed with them. */
  heldRows: number;
}

/** Remove output entries written before `beforeMs`, and the held rows only they needed. */
export async function expireOutputs(db: Kysely<Database>, beforeMs: number): Promise<RetentionReport> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('transfer_manifest')
      .select(['user_id', 'sha256', 'size'])
      .distinct()
      .where('storage', '=', 'output')
      .where('updated_at', '<', beforeMs)
      .execute();
    const outputs = await trx
      .deleteFrom('transfer_manifest')
      .where('storage', '=', 'output')
      .where('updated_at', '<', beforeMs)
      .executeTakeFirst();
    let heldRows = 0;
    for (const e of expired) {
      const still = await trx
        .selectFrom('transfer_manifest')
        .select('path')
        .where('user_id', '=', e.user_id)
        .where('sha256', '=', e.sha256)
        .where('size', '=', e.size)
        .limit(1)
        .executeTakeFirst();
      if (still !== undefined) continue;
      const r = await trx
        .deleteFrom('transfer_user_blobs')
        .where('user_id', '=', e.user_id)
        .where('sha256', '=', e.sha256)
        .where('size', '=', e.size)
        .executeTakeFirst();
      heldRows += Number(r.numDeletedRows);
    }
    return { outputs: Number(outputs.numDeletedRows), heldRows };
  });
}
