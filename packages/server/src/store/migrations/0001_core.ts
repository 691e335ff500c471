/**
 * Core schema: accounts, tasks, frames, projects, environments, catalogue
 * tables and the audit trail. Written with portable types only (integer,
 * bigint, text) so the same migration runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';

// Migrations must not depend on the evolving Database type.
// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('id_sequences')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('server_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('access_id', 'text', (c) => c.notNull().unique())
    .addColumn('access_key', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('main_user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('share_main_capital', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('input_bid', 'text', (c) => c.notNull())
    .addColumn('output_bid', 'text', (c) => c.notNull())
    .addColumn('config_bid', 'text', (c) => c.notNull())
    .addColumn('task_over_time_sec', 'integer', (c) => c.notNull().defaultTo(43200))
    .addColumn('auto_commit', 'integer', (c) => c.notNull().defaultTo(2))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('auth_nonces')
    .addColumn('access_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('auth_nonces_pk', ['access_id', 'nonce'])
    .execute();
  await db.schema.createIndex('auth_nonces_expires').on('auth_nonces').column('expires_at').execute();

  await db.schema
    .createTable('platforms')
    .addColumn('platform', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'integer', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('task_prefix', 'text', (c) => c.notNull())
    .addColumn('is_show', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('hardware_configs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('type', 'integer', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('ram', 'text', (c) => c.notNull())
    .addColumn('gpu_num', 'text')
    .addColumn('platform', 'integer', (c) => c.notNull())
    .addColumn('not_support_cg_id', 'text', (c) => c.notNull())
    .addColumn('not_support_code', 'text', (c) => c.notNull())
    .addColumn('not_support_plugin_list', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('projects_user_name', ['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('parent_id', 'integer', (c) => c.references('tasks.id').onDelete('cascade'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('pre_status', 'integer')
    .addColumn('platform', 'integer', (c) => c.notNull())
    .addColumn('scene_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('project_id', 'integer')
    .addColumn('project_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cg_id', 'integer')
    .addColumn('producer', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('artist', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('task_user_level', 'integer', (c) => c.notNull())
    .addColumn('clone_original_id', 'integer')
    .addColumn('clone_parent_id', 'integer')
    .addColumn('out_user_id', 'integer')
    .addColumn('layer_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('render_camera', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('frames_range', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('output_file_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('hardware_config_id', 'integer')
    .addColumn('ram', 'integer')
    .addColumn('gpu_num', 'text')
    .addColumn('os_name', 'integer')
    .addColumn('frames_per_task', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('pre_frames', 'text', (c) => c.notNull().defaultTo('000'))
    .addColumn('stop_after_test', 'integer', (c) => c.notNull().defaultTo(2))
    .addColumn('full_speed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('job_stop_time', 'integer', (c) => c.notNull().defaultTo(259200))
    .addColumn('task_stop_time', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('time_out', 'integer', (c) => c.notNull().defaultTo(43200))
    .addColumn('over_time_stop', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pack_node_id', 'integer')
    .addColumn('channel', 'integer', (c) => c.notNull().defaultTo(4))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('submit_date', 'bigint')
    .addColumn('start_time', 'bigint')
    .addColumn('completed_date', 'bigint')
    .addColumn('is_delete', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted_at', 'bigint')
    .addColumn('remark', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('tasks_user_created').on('tasks').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('tasks_parent').on('tasks').column('parent_id').execute();

  await db.schema
    .createTable('task_files')
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_files_pk', ['task_id', 'file_name'])
    .execute();

  await db.schema
    .createTable('task_labels')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addUniqueConstraint('task_labels_task_label', ['task_id', 'label'])
    .execute();

  await db.schema
    .createTable('frames')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('frame_index', 'text', (c) => c.notNull())
    .addColumn('frame_numbers', 'text', (c) => c.notNull())
    .addColumn('chunk_index', 'integer', (c) => c.notNull())
    .addColumn('frame_block', 'text', (c) => c.notNull().defaultTo('1'))
    .addColumn('frame_type', 'integer', (c) => c.notNull())
    .addColumn('state', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('lease_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('recommit_flag', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('thumbnail_path', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('frames_task_state').on('frames').columns(['task_id', 'state']).execute();
  await db.schema.createIndex('frames_user_state').on('frames').columns(['user_id', 'state']).execute();

  await db.schema
    .createTable('frame_log_lines')
    .addColumn('frame_id', 'integer', (c) => c.notNull().references('frames.id').onDelete('cascade'))
    .addColumn('rendering_type', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('frame_log_lines_pk', ['frame_id', 'rendering_type', 'seq'])
    .execute();

  await db.schema
    .createTable('render_envs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('cg_id', 'integer', (c) => c.notNull())
    .addColumn('cg_name', 'text', (c) => c.notNull())
    .addColumn('cg_version', 'text', (c) => c.notNull())
    .addColumn('edit_name', 'text', (c) => c.notNull())
    .addColumn('render_system', 'integer', (c) => c.notNull())
    .addColumn('render_layer_type', 'integer')
    .addColumn('project_path', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('plugin_ids', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('render_envs_user_name', ['user_id', 'edit_name'])
    .execute();

  await db.schema
    .createTable('audit_records')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('button_name', 'text', (c) => c.notNull())
    .addColumn('task_ids', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('request_ip', 'text', (c) => c.notNull())
    .addColumn('request_uri', 'text', (c) => c.notNull())
    .addColumn('request_param', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_records_user_kind')
    .on('audit_records')
    .columns(['user_id', 'kind', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'audit_records',
    'render_envs',
    'frame_log_lines',
    'frames',
    'task_labels',
    'task_files',
    'tasks',
    'projects',
    'hardware_configs',
    'platforms',
    'auth_nonces',
    'users',
    'server_settings',
    'id_sequences',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
