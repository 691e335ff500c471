/**
 * Short-lived bearer tokens for the event stream. A browser's EventSource
 * cannot set the signature headers, so a signed call hands out a token that
 * `GET /api/openfarm/events?token=…` accepts instead.
 *
 * Tokens are `<userId>.<expiresSec>.<hmac>` (see signed-tokens.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { SignedTokens } from './signed-tokens.js';

export const EVENTS_TOKEN_TTL_SEC = 300;

export class EventsTokens {
  private readonly tokens: SignedTokens;

  constructor(db: Kysely<Database>) {
    this.tokens = new SignedTokens(db, 'events_token_secret');
  }

  issue(userId: number, nowMs = Date.now()): Promise<{ token: string; expiresAt: number }> {
    return this.tokens.issue(userId, EVENTS_TOKEN_TTL_SEC, nowMs);
  }

  /** When a token stops being accepted (epoch ms), read from its text; undefined if malformed. */
  static expiresAt(token: string): number | undefined {
    return SignedTokens.expiresAt(token);
  }

  /** The user id a token was issued to, or undefined if it is forged, malformed or expired. */
  verify(token: string, nowMs = Date.now()): Promise<number | undefined> {
    return this.tokens.verify(token, nowMs);
  }
}
