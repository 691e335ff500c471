/**
 * Bearer tokens for the byte-stream routes. A signed JSON call
 * (`POST /api/openfarm/transfer/token`) hands one out; PUTs and GETs of bytes
 * may then carry `Authorization: Bearer <token>` instead of signature headers,
 * so a client (or curl, or a browser link) needs no per-request signing for
 * raw bytes, the way pre-signed URLs work for object stores.
 *
 * Tokens are `<userId>.<expiresSec>.<hmac>` (see auth/signed-tokens.ts), so
 * every replica sharing the database accepts them.
 */
import { ApiError } from '@openfarm/protocol';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { requireSignature } from '../auth/signed-routes.js';
import { SignedTokens } from '../auth/signed-tokens.js';
import type { Database } from '../store/database.js';

/** Long enough for a large upload's chunks; a client fetches a new one when it is refused. */
export const TRANSFER_TOKEN_TTL_SEC = 3600;

export class TransferTokens {
  private readonly tokens: SignedTokens;

  constructor(db: Kysely<Database>) {
    this.tokens = new SignedTokens(db, 'transfer_token_secret', 'transfer.');
  }

  issue(userId: number, nowMs = Date.now()): Promise<{ token: string; expiresAt: number }> {
    return this.tokens.issue(userId, TRANSFER_TOKEN_TTL_SEC, nowMs);
  }

  /** The user id a token was issued to, or undefined if it is forged, malformed or expired. */
  verify(token: string, nowMs = Date.now()): Promise<number | undefined> {
    return this.tokens.verify(token, nowMs);
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** Authenticate a byte-stream request by bearer token, or by signature headers over an empty body. */
export function requireTransferAuth(
  scope: FastifyInstance,
  tokens: TransferTokens,
): preHandlerAsyncHookHandler {
  const bySignature = requireSignature(scope, { signBody: false });
  return async function (this: FastifyInstance, request, reply) {
    const token = bearer(request);
    if (token === undefined) return bySignature.call(this, request, reply);
    const path = request.url.split('?')[0] ?? request.url;
    const userId = await tokens.verify(token);
    if (userId === undefined)
      throw ApiError.of('SIGNATURE_INVALID', { path, detail: 'bad or expired transfer token' });
    const user = await scope.farm.store.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirst();
    if (user === undefined) throw ApiError.of('SIGNATURE_INVALID', { path });
    if (user.disabled !== 0) throw ApiError.of('ACCOUNT_DISABLED', { path });
    request.user = user;
  };
}
