/**
 * Stop a task that ran past `task_stop_time`: status 23 (stopped by timeout),
 * its unfinished frames stopped and taken from their nodes (through the same
 * frame change the stop action uses, which bumps the epochs).
 */
import { TaskStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { type ChangedFrame, stopFrames } from '../../tasks/frame-changes.js';
import { PENDING_FRAME_STATES } from '../../tasks/states.js';

export async function stopOverdueTask(
  db: Kysely<Database>,
  task: { id: number; status: number },
  now: number,
): Promise<{ stopped: boolean; frames: ChangedFrame[] }> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('tasks')
      .set({ status: TaskStatus.STOPPED_TIMEOUT, pre_status: task.status, completed_date: now })
      .where('id', '=', task.id)
      .where('status', '=', task.status)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return { stopped: false, frames: [] };
    return {
      stopped: true,
      frames: await stopFrames(trx, { taskIds: [task.id], states: PENDING_FRAME_STATES }),
    };
  });
}
