/**
 * Dashboard sessions: the cookie, who it belongs to, sign-out, and the checks
 * every state-changing request passes (same origin and the CSRF token).
 *
 * A session is valid while its cookie's MAC matches the user's current access
 * key (rotation ends it), the user is not disabled, and it was not signed out
 * (signed-out session ids are kept in `auth_nonces` until they would have
 * expired anyway, so every replica refuses them).
 */
import { ApiError, signaturesEqual } from '@openfarm/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import {
  csrfToken,
  parseSession,
  SESSION_TTL_SEC,
  type SessionClaims,
  sessionMatchesUser,
} from './web-tokens.js';

export const SESSION_COOKIE = 'openfarm_session';
const SIGNED_OUT = 'dashboard-signed-out';

export interface DashboardSession {
  readonly user: UserRow;
  readonly claims: SessionClaims;
  readonly csrfToken: string;
}

function refused(reason: string): ApiError {
  return ApiError.of('FORBIDDEN', { detail: reason });
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function secureFlag(request: FastifyRequest): string {
  return request.protocol === 'https' ? '; Secure' : '';
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${SESSION_TTL_SEC}; HttpOnly; SameSite=Strict${secureFlag(request)}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secureFlag(request)}`,
  );
}

/** The request's session, or undefined when there is none or it ended. */
export async function sessionOf(
  db: Kysely<Database>,
  request: FastifyRequest,
): Promise<DashboardSession | undefined> {
  const cookie = cookieValue(request, SESSION_COOKIE);
  if (cookie === undefined) return undefined;
  const claims = parseSession(cookie);
  if (claims === undefined) return undefined;
  const user = await db.selectFrom('users').selectAll().where('id', '=', claims.userId).executeTakeFirst();
  if (user === undefined || user.disabled !== 0) return undefined;
  if (!(await sessionMatchesUser(db, claims, user))) return undefined;
  const out = await db
    .selectFrom('auth_nonces')
    .select('nonce')
    .where('access_id', '=', SIGNED_OUT)
    .where('nonce', '=', claims.sessionId)
    .executeTakeFirst();
  if (out !== undefined) return undefined;
  return { user, claims, csrfToken: await csrfToken(db, claims.sessionId) };
}

export async function endSession(db: Kysely<Database>, session: DashboardSession): Promise<void> {
  await db
    .insertInto('auth_nonces')
    .values({
      access_id: SIGNED_OUT,
      nonce: session.claims.sessionId,
      expires_at: session.claims.expiresSec * 1000,
    })
    .onConflict((oc) => oc.columns(['access_id', 'nonce']).doNothing())
    .execute();
}

/** `http://host:port` as the browser addressed this server. */
export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? ''}`;
}

/**
 * A state-changing request must come from a page of this server: browsers
 * send Origin (and Sec-Fetch-Site) on every cross-origin POST, and pages of
 * another origin cannot read the CSRF token. Both checks must pass.
 */
export function checkSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw refused('this request came from another site');
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(request))
    throw refused('this request came from another origin');
}

export function checkCsrf(request: FastifyRequest, session: DashboardSession): void {
  checkSameOrigin(request);
  const header = request.headers['x-csrf-token'];
  const body = request.body as Record<string, unknown> | undefined;
  const given =
    typeof header === 'string' ? header : typeof body?._csrf === 'string' ? body._csrf : undefined;
  if (given === undefined || !signaturesEqual(given, session.csrfToken))
    throw refused(
      'the form did not come from this dashboard, or is out of date: reload the page and try again',
    );
  if (body !== undefined && typeof body === 'object') delete body._csrf;
}
