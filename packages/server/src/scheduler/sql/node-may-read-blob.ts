/**
 * A node may download an input blob only while it holds a lease on a frame
 * of a task whose user holds that blob (see transfer/held-blobs.ts): knowing a
 * hash is not enough.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { BlobKey } from '../../blob/index.js';
import type { Database } from '../../store/database.js';
import '../../transfer/tables.js';
import '../tables.js';

export async function nodeMayReadBlob(
  db: Kysely<Database>,
  nodeName: string,
  key: BlobKey,
): Promise<boolean> {
  const r = await db
    .selectFrom('frames as f')
    .innerJoin('tasks as t', 't.id', 'f.task_id')
    .innerJoin('users as u', 'u.id', 't.user_id')
    // Held by the task's user, or by the main account whose assets they share (transfer/held-blobs.ts):
    // a sharing sub-account's uploads into the shared input storage are held by the sub-account.
    .innerJoin('transfer_user_blobs as b', (j) =>
      j.on((eb) =>
        eb.or([
          eb('b.user_id', '=', eb.ref('u.id')),
          eb.and([eb('u.share_main_capital', '!=', 0), eb('b.user_id', '=', eb.ref('u.main_user_id'))]),
        ]),
      ),
    )
    .select('f.id')
    .where('f.lease_owner', '=', nodeName)
    .where('f.state', '=', FrameStatus.RUNNING)
    .where('b.sha256', '=', key.sha256)
    .where('b.size', '=', key.size)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}
