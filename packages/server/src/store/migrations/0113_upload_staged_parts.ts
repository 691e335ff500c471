/**
 * Resumable uploads staged in the object store as parts (transfer/upload-staging-parts.ts):
 * the store's handle of the staged blob, and each part sent with its tag and the
 * SHA-256 state after it, so any server continues the upload and the hash.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('transfer_upload_staged')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('part_bytes', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transfer_upload_staged_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('offset', 'bigint', (c) => c.notNull())
    .addColumn('length', 'bigint', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('hash_state', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_upload_staged_parts_pk', ['upload_id', 'part_number'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('transfer_upload_staged_parts').execute();
  await db.schema.dropTable('transfer_upload_staged').execute();
}
