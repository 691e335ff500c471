/** Sign-in (form or one-time link) and sign-out. */
import { signaturesEqual } from '@openfarm/protocol';
import { signInPage } from '@openfarm/web';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/users.js';
import type { Database } from '../store/database.js';
import { clearSessionCookie, type DashboardSession, endSession, setSessionCookie } from './session.js';
import { issueSession, issueSignInLink, parseSignInLink, signInLinkMatchesUser } from './web-tokens.js';

const LINK_NONCES = 'dashboard-sign-in-link';
export const SIGN_IN_PATH = '/sign-in';
export const SIGN_IN_LINK_PATH = '/sign-in/link';

/**
 * A one-time sign-in link for a user (what `openfarm up` and the demo print):
 * it works once, for 24 hours, and not after the user's key was rotated.
 */
export async function createSignInLink(
  db: Kysely<Database>,
  userId: number,
  baseUrl: string,
): Promise<string> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  return `${baseUrl.replace(/\/+$/, '')}${SIGN_IN_LINK_PATH}?token=${await issueSignInLink(db, user)}`;
}

function html(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(text);
}

async function startSession(
  db: Kysely<Database>,
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserRow,
) {
  setSessionCookie(request, reply, await issueSession(db, user));
  return reply.redirect('/tasks', 303);
}

/** Posts here pass the plugin's origin check first (and, with a session, its CSRF check). */
export function registerSignInRoutes(
  scope: FastifyInstance,
  app: FastifyInstance,
  sessionOf: (request: FastifyRequest) => Promise<DashboardSession | undefined>,
): void {
  const db = app.farm.store.db;

  scope.get('/', async (request, reply) =>
    reply.redirect((await sessionOf(request)) !== undefined ? '/tasks' : '/sign-in', 303),
  );

  scope.get(SIGN_IN_PATH, async (request, reply) => {
    if ((await sessionOf(request)) !== undefined) return reply.redirect('/tasks', 303);
    return html(reply, 200, signInPage().text);
  });

  scope.post(SIGN_IN_PATH, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const accessId = typeof body.accessId === 'string' ? body.accessId.trim() : '';
    const accessKey = typeof body.accessKey === 'string' ? body.accessKey.trim() : '';
    const user =
      accessId === '' || accessId.length > 128
        ? undefined
        : await db.selectFrom('users').selectAll().where('access_id', '=', accessId).executeTakeFirst();
    // The same answer for an unknown id and a wrong key: the page must not reveal which ids exist.
    if (user === undefined || !signaturesEqual(user.access_key, accessKey))
      return html(
        reply,
        401,
        signInPage({ error: 'That access ID and key do not match an account.', accessId }).text,
      );
    if (user.disabled !== 0)
      return html(
        reply,
        403,
        signInPage({ error: 'This account is disabled; ask the farm’s admin.', accessId }).text,
      );
    return startSession(db, request, reply, user);
  });

  scope.get<{ Querystring: { token?: string } }>(SIGN_IN_LINK_PATH, async (request, reply) => {
    const refused = () =>
      html(
        reply,
        400,
        signInPage({
          error: 'This sign-in link was used already or has expired. Sign in with your access ID and key.',
        }).text,
      );
    const link = parseSignInLink(request.query.token ?? '');
    if (link === undefined) return refused();
    const user = await db.selectFrom('users').selectAll().where('id', '=', link.userId).executeTakeFirst();
    if (user === undefined || user.disabled !== 0 || !(await signInLinkMatchesUser(db, link, user)))
      return refused();
    const claimed = await db
      .insertInto('auth_nonces')
      .values({ access_id: LINK_NONCES, nonce: link.nonce, expires_at: link.expiresSec * 1000 })
      .onConflict((oc) => oc.columns(['access_id', 'nonce']).doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) !== 1) return refused();
    return startSession(db, request, reply, user);
  });

  scope.post('/sign-out', async (request, reply) => {
    const session = await sessionOf(request);
    if (session !== undefined) await endSession(db, session);
    clearSessionCookie(request, reply);
    return reply.redirect('/sign-in', 303);
  });
}
