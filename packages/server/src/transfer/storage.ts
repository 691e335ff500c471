/** The three storages of a user (reference §1) and whose manifest a request reads or writes. */
import { ApiError } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { visibleOwnerIds } from '../tasks/visibility.js';

export const STORAGES = ['input', 'output', 'config'] as const;
export type StorageName = (typeof STORAGES)[number];

/**
 * The user whose manifest holds `storage` for `user`: a sub-account that
 * shares the main account's assets (`shareMainCapital`) reads and writes the
 * main account's input storage, as the reference's `parent_input_bid`.
 */
export function storageOwnerId(user: UserRow, storage: StorageName): number {
  if (storage === 'input' && user.share_main_capital !== 0 && user.main_user_id !== null)
    return user.main_user_id;
  return user.id;
}

/**
 * Whose storage a read names: the caller's own (see storageOwnerId), or, for a
 * main account, a sub-account's output storage — the reference lets a main
 * account download its sub-accounts' results (a task's `userId`). Anything
 * else answers like a missing file, so user ids reveal nothing.
 */
export async function readableOwnerId(
  db: Kysely<Database>,
  user: UserRow,
  storage: StorageName,
  requestedUserId: number | undefined,
): Promise<number> {
  const own = storageOwnerId(user, storage);
  if (requestedUserId === undefined || requestedUserId === own || requestedUserId === user.id) return own;
  if (storage === 'output' && (await visibleOwnerIds(db, user)).includes(requestedUserId))
    return requestedUserId;
  throw ApiError.of('FILE_NOT_FOUND', { detail: `no ${storage} storage of user ${requestedUserId} for you` });
}
