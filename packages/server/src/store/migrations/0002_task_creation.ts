/**
 * Frame creation in steps, and the farm's own reason for failing a task.
 *
 * A submit writes a large task's frames in many short transactions (so one
 * submit never holds the writer for long); `creating_frames` is 1 on the task
 * and its child tasks until the last frame exists, and the scheduler leases
 * nothing from them meanwhile. `frames_created` counts the planned frame rows
 * already written (on the submitted task), so a restart resumes where an
 * interrupted submit stopped and two servers resuming at once never write a
 * row twice. `fail_reason` says why the farm failed a task (a render spec that
 * cannot be built, frames that could not be created); task info shows it.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('creating_frames', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('tasks')
    .addColumn('frames_created', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('tasks').addColumn('fail_reason', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('tasks').dropColumn('fail_reason').execute();
  await db.schema.alterTable('tasks').dropColumn('frames_created').execute();
  await db.schema.alterTable('tasks').dropColumn('creating_frames').execute();
}
