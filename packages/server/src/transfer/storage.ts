/** The three storages of a user (reference §1) and whose manifest a request reads or writes. */
import type { UserRow } from '../accounts/users.js';

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
