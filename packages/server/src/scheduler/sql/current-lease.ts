/** Whether a node's lease on a frame is still current, and whose task the frame is (for output uploads). */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import '../tables.js';

export interface LeaseOwnerView {
  readonly taskId: number;
  readonly userId: number;
  readonly outputFolder: string;
}

export async function currentLease(
  db: Kysely<Database>,
  lease: { frameId: number; epoch: number; owner: string },
): Promise<LeaseOwnerView | undefined> {
  const r = await db
    .selectFrom('frames as f')
    .innerJoin('tasks as t', 't.id', 'f.task_id')
    .select(['f.task_id', 't.user_id', 't.output_file_name'])
    .where('f.id', '=', lease.frameId)
    .where('f.lease_epoch', '=', lease.epoch)
    .where('f.lease_owner', '=', lease.owner)
    .where('f.state', '=', FrameStatus.RUNNING)
    .executeTakeFirst();
  return r && { taskId: r.task_id, userId: r.user_id, outputFolder: r.output_file_name };
}
