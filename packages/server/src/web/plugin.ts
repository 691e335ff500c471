/**
 * The dashboard as a server plugin:
 * `createServer({ dataDir, plugins: [transferPlugin(), …, dashboardPlugin()] })`.
 *
 * Pages come from @openfarm/web (server-rendered HTML, htmx, SSE); this
 * folder reads the store with the signed-in user's rights and serves them.
 * Every dashboard response carries a Content-Security-Policy without inline
 * scripts; errors answer as pages (or, to htmx, as a notice), never as JSON.
 * The plugin also serves the thumbnail URLs `loadingFrameThumbnail` answers.
 */
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import { ApiError, errorByCode } from '@openfarm/protocol';
import { dashboardAssets, errorPage, html } from '@openfarm/web';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { type BlobStore, LocalBlobStore } from '../blob/index.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerFileRoutes, registerThumbnailApiRoute } from './file-routes.js';
import { registerLiveRoute } from './live-route.js';
import { checkCsrf, checkSameOrigin, type DashboardSession, sessionOf } from './session.js';
import { registerSignInRoutes, SIGN_IN_PATH } from './sign-in-routes.js';
import { isHtmx, registerTaskRoutes, viewerOf } from './task-routes.js';

export interface DashboardOptions {
  /** Where outputs and thumbnails are read; default: a LocalBlobStore in `<dataDir>/blobs`. */
  readonly blobs?: BlobStore;
  /** How often an open event stream re-checks its session and ends once it ended (ms, default 10 000). */
  readonly sessionRecheckMs?: number;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Form posts are small: a few ids and a token. */
const FORM_BODY_LIMIT = 64 * 1024;

export function dashboardPlugin(options: DashboardOptions = {}): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    let blobs = options.blobs;
    if (blobs === undefined) {
      const dataDir = app.farm.dataDir;
      if (dataDir === undefined)
        throw new Error('dashboard: pass blobs when the server has no data directory');
      const owned = await LocalBlobStore.open(join(dataDir, 'blobs'));
      app.addHook('onClose', async () => owned.close());
      blobs = owned;
    }
    registerThumbnailApiRoute(app, blobs);
    const db = app.farm.store.db;
    // A request's session is read once, however many of the guard, the route and the error page ask.
    const sessions = new WeakMap<FastifyRequest, Promise<DashboardSession | undefined>>();
    const currentSession = (request: FastifyRequest): Promise<DashboardSession | undefined> => {
      let session = sessions.get(request);
      if (session === undefined) {
        session = sessionOf(db, request);
        sessions.set(request, session);
      }
      return session;
    };
    const sessionFor = async (request: FastifyRequest): Promise<DashboardSession> => {
      const session = await currentSession(request);
      if (session === undefined)
        throw ApiError.of('SIGNATURE_INVALID', { detail: 'sign in to the dashboard' });
      return session;
    };

    await app.register(async (scope) => {
      await scope.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
      scope.addHook('onSend', async (_request, reply, payload) => {
        reply
          .header('content-security-policy', CONTENT_SECURITY_POLICY)
          .header('x-content-type-options', 'nosniff')
          .header('x-frame-options', 'DENY')
          // The one-time sign-in link carries its token in the URL: no other site may see it. (Not
          // no-referrer: with it, Chromium sends `Origin: null` on form posts, and the origin check fails.)
          .header('referrer-policy', 'same-origin');
        const type = String(reply.getHeader('content-type') ?? '');
        if (type.startsWith('text/html') || type.startsWith('application/json'))
          reply.header('cache-control', 'no-store');
        return payload;
      });

      scope.setErrorHandler(async (err: FastifyError | ApiError, request, reply) => {
        const api = err instanceof ApiError ? err : undefined;
        const status =
          api !== undefined
            ? (errorByCode(api.code)?.httpStatus ?? 400)
            : ((err as FastifyError).statusCode ?? 500);
        if (status >= 500) request.log.error({ err }, 'dashboard: unhandled error');
        if (status === 401) {
          if (isHtmx(request)) return reply.header('hx-redirect', '/sign-in').code(401).send();
          return reply.redirect('/sign-in', 303);
        }
        const session = await currentSession(request).catch(() => undefined);
        const notFound = status === 404;
        const title = notFound
          ? 'Not found'
          : status === 403
            ? 'Refused'
            : status >= 500
              ? 'Something went wrong'
              : 'That did not work';
        const detail = typeof api?.detail === 'string' ? api.detail : undefined;
        const message = notFound
          ? 'There is no such task, frame or page, or it is not yours.'
          : status >= 500
            ? 'The farm could not answer; the error is in its log. Try again in a moment.'
            : `${detail ?? err.message}.`;
        reply.code(status).type('text/html; charset=utf-8');
        // htmx swaps error answers too (see the page's htmx config): show a notice at the top of the page.
        if (isHtmx(request))
          return reply
            .header('hx-retarget', '#main')
            .header('hx-reswap', 'afterbegin')
            .send(html`<p class="notice error" role="alert">${title}: ${message}</p>`.text);
        return reply.send(
          errorPage({ viewer: session === undefined ? null : viewerOf(session), status, title, message })
            .text,
        );
      });

      // The one guard of every state-changing request (any method but GET and HEAD), so no route can
      // leave it out: the sign-in form, which has no session yet, must come from this origin; with a
      // session, the origin and the CSRF token are checked. Without a session nothing can change: the
      // routes answer 401, and sign-out only clears the cookie.
      scope.addHook('preHandler', async (request) => {
        if (request.method === 'GET' || request.method === 'HEAD') return;
        if (request.routeOptions.url === SIGN_IN_PATH) return checkSameOrigin(request);
        const session = await currentSession(request);
        if (session !== undefined) checkCsrf(request, session);
      });

      const assets = dashboardAssets();
      scope.get<{ Params: { name: string } }>('/ui/assets/:name', async (request, reply) => {
        const asset = assets.get(request.params.name);
        if (asset === undefined) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: 'no such file' });
        reply.header('etag', asset.etag).header('cache-control', 'no-cache').type(asset.type);
        if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
        return reply.send(asset.body);
      });

      // Browsers ask for it on every page; the dashboard has none, and says so without a 404.
      scope.get('/favicon.ico', async (_request, reply) => reply.code(204).send());

      registerSignInRoutes(scope, app, currentSession);
      registerTaskRoutes(scope, app, sessionFor);
      registerAdminRoutes(scope, app, sessionFor);
      registerFileRoutes(scope, app, blobs, sessionFor);
      registerLiveRoute(scope, app, sessionFor, options.sessionRecheckMs);
    });
  };
}
