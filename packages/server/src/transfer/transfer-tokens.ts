/**
 * Bearer tokens for the byte-stream routes. A signed JSON call
 * (`POST /api/openfarm/transfer/token`) hands one out; PUTs and GETs of bytes
 * may then carry `Authorization: Bearer <token>` instead of signature headers,
 * so a client (or curl, or a browser link) needs no per-request signing for
 * raw bytes, the way pre-signed URLs work for object stores.
 *
 * Tokens are stateless (`<userId>.<expiresSec>.<hmac>`) under a secret kept in
 * the store, so every replica sharing the database accepts them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ApiError, signaturesEqual } from '@openfarm/protocol';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { requireSignature } from '../auth/signed-routes.js';
import type { Database } from '../store/database.js';

const SECRET_KEY = 'transfer_token_secret';
/** Long enough for a large upload's chunks; a client fetches a new one when it is refused. */
export const TRANSFER_TOKEN_TTL_SEC = 3600;

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`transfer.${payload}`).digest('base64url');
}

export class TransferTokens {
  private secret: Promise<string> | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  private getSecret(): Promise<string> {
    this.secret ??= (async () => {
      await this.db
        .insertInto('server_settings')
        .values({ key: SECRET_KEY, value: randomBytes(32).toString('base64url') })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await this.db
        .selectFrom('server_settings')
        .select('value')
        .where('key', '=', SECRET_KEY)
        .executeTakeFirstOrThrow();
      return row.value;
    })();
    return this.secret;
  }

  async issue(userId: number, nowMs = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const expiresSec = Math.floor(nowMs / 1000) + TRANSFER_TOKEN_TTL_SEC;
    const payload = `${userId}.${expiresSec}`;
    return { token: `${payload}.${mac(await this.getSecret(), payload)}`, expiresAt: expiresSec * 1000 };
  }

  /** The user id a token was issued to, or undefined if it is forged, malformed or expired. */
  async verify(token: string, nowMs = Date.now()): Promise<number | undefined> {
    const m = /^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (m === null) return undefined;
    const [, userId = '', expiresSec = '', given = ''] = m;
    if (!signaturesEqual(mac(await this.getSecret(), `${userId}.${expiresSec}`), given)) return undefined;
    if (Number(expiresSec) * 1000 < nowMs) return undefined;
    return Number(userId);
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
