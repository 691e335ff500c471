/**
 * Short-lived bearer tokens for the event stream. A browser's EventSource
 * cannot set the signature headers, so a signed call hands out a token that
 * `GET /api/openfarm/events?token=…` accepts instead.
 *
 * Tokens are stateless (`<userId>.<expiresSec>.<hmac>`) under a secret kept in
 * the store, so every replica sharing the database accepts them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { signaturesEqual } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';

const SECRET_KEY = 'events_token_secret';
export const EVENTS_TOKEN_TTL_SEC = 300;

async function loadSecret(db: Kysely<Database>): Promise<string> {
  await db
    .insertInto('server_settings')
    .values({ key: SECRET_KEY, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('server_settings')
    .select('value')
    .where('key', '=', SECRET_KEY)
    .executeTakeFirstOrThrow();
  return row.value;
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export class EventsTokens {
  private secret: Promise<string> | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  private getSecret(): Promise<string> {
    this.secret ??= loadSecret(this.db);
    return this.secret;
  }

  async issue(userId: number, nowMs = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const expiresSec = Math.floor(nowMs / 1000) + EVENTS_TOKEN_TTL_SEC;
    const payload = `${userId}.${expiresSec}`;
    return { token: `${payload}.${mac(await this.getSecret(), payload)}`, expiresAt: expiresSec * 1000 };
  }

  /** When a token stops being accepted (epoch ms), read from its text; undefined if malformed. */
  static expiresAt(token: string): number | undefined {
    const m = /^\d{1,12}\.(\d{1,12})\./.exec(token);
    return m === null ? undefined : Number(m[1]) * 1000;
  }

  /** The user id a token was issued to, or undefined if it is forged, malformed or expired. */
  async verify(token: string, nowMs = Date.now()): Promise<number | undefined> {
    const m = /^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (m === null) return undefined;
    const [, userId, expiresSec, given] = m as unknown as [string, string, string, string];
    if (!signaturesEqual(mac(await this.getSecret(), `${userId}.${expiresSec}`), given)) return undefined;
    if (Number(expiresSec) * 1000 < nowMs) return undefined;
    return Number(userId);
  }
}
