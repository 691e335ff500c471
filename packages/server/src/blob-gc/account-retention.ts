/**
 * Output retention per account. The farm has one default (`openfarm server
 * --output-retention`, `openfarm blobs gc --output-retention`; off when not
 * given); an administrator may give an account its own duration, or keep its
 * outputs for ever whatever the default (`openfarm users retention NAME 90d`).
 * A sub-account without its own setting follows its main account, which
 * follows the default: studios buy storage per account, and a sub-account is
 * one artist of that account.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';

/** An account's own output retention (migration 0112_output_retention). */
export interface AccountOutputRetentionTable {
  user_id: number;
  /** Milliseconds an output is kept after it was written; null: kept for ever. */
  retention_ms: number | null;
}

declare module '../store/database.js' {
  interface Database {
    account_output_retention: AccountOutputRetentionTable;
  }
}

/**
 * What an account's retention is set to: a duration in milliseconds, `forever`
 * (outputs never expire), or `default` (no setting of its own: the main
 * account's, else the farm's).
 */
export type OutputRetentionSetting = number | 'forever' | 'default';

/** Give an account its own output retention, or (`default`) remove it. */
export async function setOutputRetention(
  db: Kysely<Database>,
  userId: number,
  setting: OutputRetentionSetting,
): Promise<void> {
  if (setting === 'default') {
    await db.deleteFrom('account_output_retention').where('user_id', '=', userId).execute();
    return;
  }
  if (setting !== 'forever' && !(Number.isSafeInteger(setting) && setting > 0))
    throw new RangeError(`output retention must be a positive number of milliseconds, got ${setting}`);
  const retention_ms = setting === 'forever' ? null : setting;
  await db
    .insertInto('account_output_retention')
    .values({ user_id: userId, retention_ms })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ retention_ms }))
    .execute();
}

/** The account's own setting (not what it inherits). */
export async function ownOutputRetention(
  db: Kysely<Database>,
  userId: number,
): Promise<OutputRetentionSetting> {
  const row = await db
    .selectFrom('account_output_retention')
    .select('retention_ms')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row === undefined) return 'default';
  return row.retention_ms === null ? 'forever' : Number(row.retention_ms);
}

/**
 * The retention that applies to each account's outputs, in milliseconds, or
 * undefined where they are kept for ever: own setting, else the main account's,
 * else `defaultMs`. Accounts that no longer exist get the default.
 */
export async function effectiveOutputRetentions(
  db: Kysely<Database>,
  defaultMs: number | undefined,
): Promise<{ of(userId: number): number | undefined }> {
  const [users, rows] = await Promise.all([
    db.selectFrom('users').select(['id', 'main_user_id']).execute(),
    db.selectFrom('account_output_retention').select(['user_id', 'retention_ms']).execute(),
  ]);
  const own = new Map<number, number | undefined>(
    rows.map((r) => [r.user_id, r.retention_ms === null ? undefined : Number(r.retention_ms)]),
  );
  const mainOf = new Map(users.map((u) => [u.id, u.main_user_id]));
  return {
    of(userId) {
      if (own.has(userId)) return own.get(userId);
      const main = mainOf.get(userId);
      if (main !== null && main !== undefined && own.has(main)) return own.get(main);
      return defaultMs;
    },
  };
}
