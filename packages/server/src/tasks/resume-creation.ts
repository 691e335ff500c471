/**
 * After a restart: finish the frames of every submit the previous run was
 * still writing (kill -9, power loss, a store that went away mid-submit).
 * Until then those tasks are preprocessing and the scheduler leases nothing
 * from them, so a half-created task never renders; here each either gets the
 * rest of its frames (the plan is in its rows, see create-frames.ts) or, when
 * that fails, is failed with the reason.
 */

import { TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import type { ChangedTask } from './actions.js';
import { createFrames } from './create-frames.js';
import { failTask } from './fail-task.js';

export interface ResumeOptions {
  /** True once the server is closing: stop between steps (the next start resumes again). */
  readonly stopped: () => boolean;
  /** Tasks whose status changed, to publish. */
  readonly changed: (tasks: readonly ChangedTask[]) => void;
}

/** Resume every interrupted submit; returns how many tasks were found. */
export async function resumeFrameCreation(db: Kysely<Database>, options: ResumeOptions): Promise<number> {
  const pending = await db
    .selectFrom('tasks')
    .select('id')
    .where('creating_frames', '=', 1)
    .where('parent_id', 'is', null)
    .orderBy('id')
    .execute();
  for (const { id } of pending) {
    if (options.stopped()) break;
    try {
      const created = await createFrames(db, id, { stopped: options.stopped });
      options.changed(
        created.madeWaiting.map((t) => ({ id: t.id, userId: t.userId, status: TaskStatus.WAITING })),
      );
    } catch (err) {
      if (options.stopped()) break;
      options.changed(
        await failTask(db, id, `could not create its frames after a restart: ${(err as Error).message}`),
      );
    }
  }
  return pending.length;
}
