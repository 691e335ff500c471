/**
 * Accounts: creation, listing, key rotation, disabling. Used by the
 * `openfarm users …` commands directly on the store (the server may run at the
 * same time; SQLite's WAL and busy timeout let both write).
 */
import type { Kysely, Selectable } from 'kysely';
import type { UsersTable } from '../store/core-tables.js';
import type { Database } from '../store/database.js';
import { allocateIds } from '../store/ids.js';
import { newAccessId, newAccessKey } from './access-keys.js';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  userId: number;
  userName: string;
  accessId: string;
  accessKey: string;
}

export interface CreateUserOptions {
  admin?: boolean;
  /** Make the new user a sub-account of this main account. */
  subOf?: number;
  /** Sub-accounts only: share the main account's assets (input storage). */
  shareMainCapital?: boolean;
}

export class AccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountError';
  }
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

export async function createUser(
  db: Kysely<Database>,
  name: string,
  options: CreateUserOptions = {},
): Promise<NewUser> {
  if (!USER_NAME.test(name)) {
    throw new AccountError(
      `invalid user name ${JSON.stringify(name)}: use 1–64 letters, digits, "_", ".", "@" or "-", starting with a letter or digit`,
    );
  }
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst();
    if (existing !== undefined) throw new AccountError(`a user named ${name} already exists`);
    if (options.subOf !== undefined) {
      const main = await trx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', options.subOf)
        .executeTakeFirst();
      if (main === undefined)
        throw new AccountError(`no user with id ${options.subOf} to be the main account`);
      if (main.main_user_id !== null) {
        throw new AccountError(
          `user ${options.subOf} is itself a sub-account; sub-accounts cannot have sub-accounts`,
        );
      }
    }
    const id = await allocateIds(trx, 'users');
    const bid = await allocateIds(trx, 'bids', 3);
    const user: NewUser = { userId: id, userName: name, accessId: newAccessId(), accessKey: newAccessKey() };
    await trx
      .insertInto('users')
      .values({
        id,
        name,
        access_id: user.accessId,
        access_key: user.accessKey,
        is_admin: options.admin === true ? 1 : 0,
        disabled: 0,
        main_user_id: options.subOf ?? null,
        share_main_capital: options.subOf !== undefined && options.shareMainCapital === true ? 1 : 0,
        input_bid: String(bid),
        output_bid: String(bid + 1),
        config_bid: String(bid + 2),
        created_at: Date.now(),
      })
      .execute();
    return user;
  });
}

export async function listUsers(db: Kysely<Database>): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('id').execute();
}

export async function findUserByName(db: Kysely<Database>, name: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
}

async function requireUser(db: Kysely<Database>, name: string): Promise<UserRow> {
  const user = await findUserByName(db, name);
  if (user === undefined) throw new AccountError(`no user named ${name}`);
  return user;
}

/** Give a user a fresh access id and key; the old pair stops working at once. */
export async function rotateAccessKey(db: Kysely<Database>, name: string): Promise<NewUser> {
  const user = await requireUser(db, name);
  const next: NewUser = {
    userId: user.id,
    userName: user.name,
    accessId: newAccessId(),
    accessKey: newAccessKey(),
  };
  await db
    .updateTable('users')
    .set({ access_id: next.accessId, access_key: next.accessKey })
    .where('id', '=', user.id)
    .execute();
  return next;
}

/** Disable (or re-enable) a user: its signed calls then answer 804. */
export async function setUserDisabled(
  db: Kysely<Database>,
  name: string,
  disabled: boolean,
): Promise<UserRow> {
  const user = await requireUser(db, name);
  await db
    .updateTable('users')
    .set({ disabled: disabled ? 1 : 0 })
    .where('id', '=', user.id)
    .execute();
  return { ...user, disabled: disabled ? 1 : 0 };
}
