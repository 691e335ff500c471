/**
 * Output retention per account (blob-gc/account-retention.ts): an account's own
 * setting, overriding the farm-wide default the collector is given. No row: the
 * account follows its main account (a sub-account) or the farm's default.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('account_output_retention')
    .addColumn('user_id', 'integer', (c) => c.primaryKey())
    // Milliseconds an output is kept after it was written; null: kept for ever.
    .addColumn('retention_ms', 'bigint')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('account_output_retention').execute();
}
