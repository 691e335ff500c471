/**
 * Stateless HMAC tokens, the one mechanism behind the transfer bearer tokens,
 * the event-stream tokens and the dashboard's cookies, links and thumbnail
 * URLs. Each family has its own secret, created once in `server_settings`, so
 * every replica sharing the database accepts what another issued, and its own
 * prefix inside the MAC, so a token of one purpose never verifies as another.
 *
 * The common shape `<subject>.<expiresSec>.<mac>` is issued and checked here;
 * a family with more fields (the dashboard's session cookie) signs its own
 * payload with `mac`/`matches`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { signaturesEqual } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';

const secrets = new WeakMap<Kysely<Database>, Map<string, Promise<string>>>();

/** The secret stored under `name`, created by whichever replica asks first. */
function secretOf(db: Kysely<Database>, name: string): Promise<string> {
  let byName = secrets.get(db);
  if (byName === undefined) {
    byName = new Map();
    secrets.set(db, byName);
  }
  let s = byName.get(name);
  if (s === undefined) {
    s = (async () => {
      await db
        .insertInto('server_settings')
        .values({ key: name, value: randomBytes(32).toString('base64url') })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await db
        .selectFrom('server_settings')
        .select('value')
        .where('key', '=', name)
        .executeTakeFirstOrThrow();
      return row.value;
    })();
    // A failed read (database busy at start) is retried by the next request.
    const cache = byName;
    s.catch(() => cache.delete(name));
    byName.set(name, s);
  }
  return s;
}

const EXPIRING = /^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class SignedTokens {
  /** `secretName`: the `server_settings` key; `prefix`: prepended to every signed payload. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secretName: string,
    private readonly prefix = '',
  ) {}

  async mac(payload: string): Promise<string> {
    return createHmac('sha256', await secretOf(this.db, this.secretName))
      .update(`${this.prefix}${payload}`)
      .digest('base64url');
  }

  async matches(payload: string, given: string): Promise<boolean> {
    return signaturesEqual(await this.mac(payload), given);
  }

  /** `<subject>.<expiresSec>.<mac>`, valid for `ttlSec` from `nowMs`. */
  async issue(
    subject: number,
    ttlSec: number,
    nowMs = Date.now(),
  ): Promise<{ token: string; expiresAt: number }> {
    const expiresSec = Math.floor(nowMs / 1000) + ttlSec;
    const payload = `${subject}.${expiresSec}`;
    return { token: `${payload}.${await this.mac(payload)}`, expiresAt: expiresSec * 1000 };
  }

  /** The subject a token was issued for, or undefined if it is forged, malformed or expired. */
  async verify(token: string, nowMs = Date.now()): Promise<number | undefined> {
    const m = EXPIRING.exec(token);
    if (m === null) return undefined;
    const [, subject = '', expiresSec = '', given = ''] = m;
    if (!(await this.matches(`${subject}.${expiresSec}`, given))) return undefined;
    if (Number(expiresSec) * 1000 < nowMs) return undefined;
    return Number(subject);
  }

  /** When a `<subject>.<expiresSec>.…` token stops being accepted (epoch ms); undefined if malformed. */
  static expiresAt(token: string): number | undefined {
    const m = /^\d{1,12}\.(\d{1,12})\./.exec(token);
    return m === null ? undefined : Number(m[1]) * 1000;
  }
}
