/**
 * A node may download an input blob only while it holds a lease on a frame
 * of a task whose input owner holds that blob: knowing a hash is not enough.
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
    .innerJoin('transfer_user_blobs as b', (j) =>
      j.on((eb) =>
        eb(
          'b.user_id',
          '=',
          eb
            .case()
            .when(eb.and([eb('u.share_main_capital', '!=', 0), eb('u.main_user_id', 'is not', null)]))
            .then(eb.ref('u.main_user_id'))
            .else(eb.ref('u.id'))
            .end(),
        ),
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
