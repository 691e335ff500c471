/**
 * The dashboard's tokens, all HMACs under one secret kept in the store (so
 * every replica sharing the database accepts them), each bound to a purpose:
 *
 * - session cookie `<userId>.<sessionId>.<expiresSec>.<mac>`; the MAC also
 *   covers a hash of the user's current access id and key, so rotating the
 *   key ends every session of that user without a session table;
 * - CSRF token: a MAC of the session id, sent back with every state change;
 * - one-time sign-in link `<userId>.<nonce>.<expiresSec>.<mac>` (key-bound
 *   too); its nonce is claimed in `auth_nonces` on use, so it works once;
 * - thumbnail URL token `<frameId>.<expiresSec>.<mac>`: a capability for one
 *   frame's thumbnail, like an object store's pre-signed URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { signaturesEqual } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import { SignedTokens } from '../auth/signed-tokens.js';
import type { Database } from '../store/database.js';

const SECRET_KEY = 'dashboard_token_secret';
export const SESSION_TTL_SEC = 12 * 3600;
export const LINK_TTL_SEC = 24 * 3600;
export const THUMBNAIL_URL_TTL_SEC = 3600;

/** The dashboard's signer for one purpose; every purpose shares the one secret. */
function signer(db: Kysely<Database>, purpose: string): SignedTokens {
  return new SignedTokens(db, SECRET_KEY, `dashboard.${purpose}.`);
}

function mac(db: Kysely<Database>, purpose: string, payload: string): Promise<string> {
  return signer(db, purpose).mac(payload);
}

/** Changes whenever the user's access id or key does. */
function keyTag(user: UserRow): string {
  return createHash('sha256').update(`${user.access_id}\n${user.access_key}`).digest('base64url');
}

const nowSec = (nowMs: number) => Math.floor(nowMs / 1000);

export interface SessionClaims {
  readonly userId: number;
  readonly sessionId: string;
  readonly expiresSec: number;
}

export async function issueSession(db: Kysely<Database>, user: UserRow, nowMs = Date.now()): Promise<string> {
  const sessionId = randomBytes(16).toString('base64url');
  const expiresSec = nowSec(nowMs) + SESSION_TTL_SEC;
  const payload = `${user.id}.${sessionId}.${expiresSec}`;
  return `${payload}.${await mac(db, 'session', `${payload}.${keyTag(user)}`)}`;
}

/** The claims of a well-formed, unexpired cookie; the MAC is checked by `sessionMatchesUser`. */
export function parseSession(
  cookie: string,
  nowMs = Date.now(),
): (SessionClaims & { mac: string }) | undefined {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(cookie);
  if (m === null) return undefined;
  const expiresSec = Number(m[3]);
  if (expiresSec < nowSec(nowMs)) return undefined;
  return { userId: Number(m[1]), sessionId: m[2]!, expiresSec, mac: m[4]! };
}

export async function sessionMatchesUser(
  db: Kysely<Database>,
  claims: SessionClaims & { mac: string },
  user: UserRow,
): Promise<boolean> {
  const payload = `${claims.userId}.${claims.sessionId}.${claims.expiresSec}`;
  return signaturesEqual(await mac(db, 'session', `${payload}.${keyTag(user)}`), claims.mac);
}

export function csrfToken(db: Kysely<Database>, sessionId: string): Promise<string> {
  return mac(db, 'csrf', sessionId);
}

export async function issueSignInLink(
  db: Kysely<Database>,
  user: UserRow,
  nowMs = Date.now(),
): Promise<string> {
  const payload = `${user.id}.${randomBytes(16).toString('base64url')}.${nowSec(nowMs) + LINK_TTL_SEC}`;
  return `${payload}.${await mac(db, 'link', `${payload}.${keyTag(user)}`)}`;
}

export function parseSignInLink(
  token: string,
  nowMs = Date.now(),
): { userId: number; nonce: string; expiresSec: number; mac: string } | undefined {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (m === null) return undefined;
  const expiresSec = Number(m[3]);
  if (expiresSec < nowSec(nowMs)) return undefined;
  return { userId: Number(m[1]), nonce: m[2]!, expiresSec, mac: m[4]! };
}

export async function signInLinkMatchesUser(
  db: Kysely<Database>,
  link: { userId: number; nonce: string; expiresSec: number; mac: string },
  user: UserRow,
): Promise<boolean> {
  const payload = `${link.userId}.${link.nonce}.${link.expiresSec}`;
  return signaturesEqual(await mac(db, 'link', `${payload}.${keyTag(user)}`), link.mac);
}

export async function thumbnailToken(
  db: Kysely<Database>,
  frameId: number,
  nowMs = Date.now(),
): Promise<string> {
  return (await signer(db, 'thumbnail').issue(frameId, THUMBNAIL_URL_TTL_SEC, nowMs)).token;
}

/** The frame id a thumbnail token grants, or undefined if forged, malformed or expired. */
export function verifyThumbnailToken(
  db: Kysely<Database>,
  token: string,
  nowMs = Date.now(),
): Promise<number | undefined> {
  return signer(db, 'thumbnail').verify(token, nowMs);
}
