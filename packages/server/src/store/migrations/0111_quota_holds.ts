/**
 * Quota reservations in the database: the bytes a request is about to store,
 * held until they are recorded, so servers sharing the database see each
 * other's uploads in flight (a reservation per process let two servers each
 * fit the last free bytes). A hold outlives a killed server only until it expires.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('transfer_quota_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('transfer_quota_holds_user')
    .on('transfer_quota_holds')
    .columns(['user_id', 'expires_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('transfer_quota_holds').execute();
}
