/**
 * Resumable uploads any server can continue: their bytes so far as rows of
 * the database (transfer_upload_parts) instead of a file on the disk of the
 * server that began them, and a completed session kept (completed_at) so a
 * completion retried after its answer was lost is answered again instead of
 * "no such upload".
 */
import { type Kysely, PostgresAdapter } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('transfer_upload_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('offset', 'bigint', (c) => c.notNull())
    .addColumn('length', 'bigint', (c) => c.notNull())
    // PostgreSQL's byte string type; SQLite stores a buffer as a BLOB whatever the column says.
    .addColumn('bytes', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    // The key of the row is its place: two writers of one offset cannot both land.
    .addPrimaryKeyConstraint('transfer_upload_parts_pk', ['upload_id', 'offset'])
    .execute();
  await db.schema.alterTable('transfer_uploads').addColumn('completed_at', 'bigint').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('transfer_uploads').dropColumn('completed_at').execute();
  await db.schema.dropTable('transfer_upload_parts').execute();
}
