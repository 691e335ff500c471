/**
 * A node may download an input blob only while it holds a lease on a frame
 * of a task whose input storage's accounts hold that blob: knowing a hash is
 * not enough. Those accounts are the task's user and, when the input storage
 * is shared (`shareMainCapital`), the main account and every sub-account that
 * shares it: any of them may have put the file there, and a blob is held by
 * whoever proved it (transfer/held-blobs.ts).
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
  const leased = await db
    .selectFrom('frames as f')
    .innerJoin('tasks as t', 't.id', 'f.task_id')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.id', 'u.main_user_id', 'u.share_main_capital'])
    .distinct()
    .where('f.lease_owner', '=', nodeName)
    .where('f.state', '=', FrameStatus.RUNNING)
    .execute();
  if (leased.length === 0) return false;
  const holders = new Set<number>();
  const inputOwners = new Set<number>();
  for (const u of leased) {
    holders.add(u.id);
    inputOwners.add(u.share_main_capital !== 0 && u.main_user_id !== null ? u.main_user_id : u.id);
  }
  // Small sets (one node's leases), so the blob lookup below stays on the (user, hash, size) key.
  const sharing = await db
    .selectFrom('users')
    .select('id')
    .where('main_user_id', 'in', [...inputOwners])
    .where('share_main_capital', '!=', 0)
    .execute();
  for (const id of inputOwners) holders.add(id);
  for (const s of sharing) holders.add(s.id);
  const held = await db
    .selectFrom('transfer_user_blobs')
    .select('user_id')
    .where('user_id', 'in', [...holders])
    .where('sha256', '=', key.sha256)
    .where('size', '=', key.size)
    .limit(1)
    .executeTakeFirst();
  return held !== undefined;
}
