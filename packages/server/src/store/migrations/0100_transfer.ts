/**
 * Transfer schema: per-user storage manifests, which blobs each user holds,
 * resumable upload sessions and quotas. Portable types only (text, bigint,
 * integer) so it runs unchanged on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';

// Migrations must not depend on the evolving Database type.
// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('transfer_manifest')
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('storage', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_manifest_pk', ['user_id', 'storage', 'path'])
    .execute();

  await db.schema
    .createTable('transfer_user_blobs')
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_user_blobs_pk', ['user_id', 'sha256', 'size'])
    .execute();

  await db.schema
    .createTable('transfer_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('transfer_uploads_blob', ['user_id', 'sha256', 'size'])
    .execute();

  await db.schema
    .createTable('transfer_quotas')
    .addColumn('user_id', 'integer', (c) => c.primaryKey())
    .addColumn('max_bytes', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['transfer_quotas', 'transfer_uploads', 'transfer_user_blobs', 'transfer_manifest']) {
    await db.schema.dropTable(t).execute();
  }
}
