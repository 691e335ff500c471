/**
 * Scheduler schema: render nodes and their tokens, the per-task blocklist of
 * nodes that keep failing a task's frames, and the frame columns the scheduler
 * adds (progress, the node that last ran the frame, the last error). The lease
 * itself (owner, expiry, epoch) is in the core `frames` table.
 */
import type { Kysely } from 'kysely';

// Migrations must not depend on the evolving Database type.
// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('platform', 'integer')
    .addColumn('os', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cores', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ram_mb', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('gpus', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('slots', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('renderers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('hardware_config_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('agent_version', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('registered_at', 'bigint')
    .addColumn('last_seen_at', 'bigint')
    .execute();

  await db.schema
    .createTable('worker_task_failures')
    .addColumn('worker_id', 'integer', (c) => c.notNull().references('workers.id').onDelete('cascade'))
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('worker_task_failures_pk', ['worker_id', 'task_id'])
    .execute();

  await db.schema
    .alterTable('frames')
    .addColumn('progress', 'real', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('frames').addColumn('node_name', 'text').execute();
  await db.schema.alterTable('frames').addColumn('last_error', 'text').execute();
  // The claim walks one task's waiting frames in lease order (priority type 4
  // sorts before main type 5) without sorting; the reaper scans running ones by expiry.
  await db.schema
    .createIndex('frames_lease_order')
    .on('frames')
    .columns(['task_id', 'state', 'frame_type', 'chunk_index'])
    .execute();
  await db.schema
    .createIndex('frames_state_expiry')
    .on('frames')
    .columns(['state', 'lease_expires_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('frames_state_expiry').execute();
  await db.schema.dropIndex('frames_lease_order').execute();
  await db.schema.alterTable('frames').dropColumn('last_error').execute();
  await db.schema.alterTable('frames').dropColumn('node_name').execute();
  await db.schema.alterTable('frames').dropColumn('progress').execute();
  await db.schema.dropTable('worker_task_failures').execute();
  await db.schema.dropTable('workers').execute();
}
