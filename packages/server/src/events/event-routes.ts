/**
 * `GET /api/openfarm/events`: the caller's task and frame changes as
 * server-sent events (`event: task|frame`, `data: <FarmEvent JSON>`).
 *
 * Authentication: the signature headers (the client signs the path
 * `/api/openfarm/events` with an empty body), or `?token=` from
 * `openfarm.eventsToken` for clients that cannot set headers (EventSource).
 *
 * A stream lasts no longer than what let it in: one opened with a token ends
 * when the token expires (the client asks for a new token and reconnects),
 * and every stream re-reads its user every `recheckMs` (default 10 s) and ends
 * when the user was disabled, deleted or given a new access id since.
 */

import type { ServerResponse } from 'node:http';
import { ApiError } from '@openfarm/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserRow } from '../accounts/users.js';
import { EventsTokens } from '../auth/events-token.js';
import { publicHost, receivedHost } from '../http/public-url.js';

export const EVENTS_PATH = '/api/openfarm/events';
/** Comment lines keep proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
export const DEFAULT_EVENTS_RECHECK_MS = 10_000;

interface StreamAuth {
  user: UserRow;
  /** Epoch ms when the token that opened the stream expires; undefined for a signed request. */
  expiresAt: number | undefined;
}

async function authenticate(app: FastifyInstance, request: FastifyRequest): Promise<StreamAuth> {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  if (typeof token !== 'string') {
    const user = await app.farm.verifier.verify({
      host: receivedHost(request),
      publicHost: publicHost(app.farm),
      path: EVENTS_PATH,
      headers: request.headers,
      body: undefined,
    });
    return { user, expiresAt: undefined };
  }
  const userId = await app.farm.eventsTokens.verify(token);
  if (userId === undefined)
    throw ApiError.of('SIGNATURE_INVALID', { path: EVENTS_PATH, detail: 'bad or expired events token' });
  const user = await app.farm.store.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .executeTakeFirst();
  if (user === undefined) throw ApiError.of('SIGNATURE_INVALID', { path: EVENTS_PATH });
  if (user.disabled !== 0) throw ApiError.of('ACCOUNT_DISABLED', { path: EVENTS_PATH });
  return { user, expiresAt: EventsTokens.expiresAt(token) };
}

/** Ids per query when open streams re-read their users (well under every store's parameter limit). */
const RECHECK_BATCH = 1000;

interface OpenStream {
  /** The user as read when the stream opened. */
  user: UserRow;
  end: (why: string) => void;
}

/** End the streams whose user was disabled, deleted or re-keyed since they opened: one query per batch of users. */
async function recheckStreams(app: FastifyInstance, streams: readonly OpenStream[]): Promise<void> {
  const ids = [...new Set(streams.map((s) => s.user.id))];
  const current = new Map<number, { disabled: number; access_id: string }>();
  for (let i = 0; i < ids.length; i += RECHECK_BATCH) {
    const rows = await app.farm.store.db
      .selectFrom('users')
      .select(['id', 'disabled', 'access_id'])
      .where('id', 'in', ids.slice(i, i + RECHECK_BATCH))
      .execute();
    for (const r of rows) current.set(r.id, r);
  }
  for (const s of streams) {
    const now = current.get(s.user.id);
    if (now === undefined || now.disabled !== 0 || now.access_id !== s.user.access_id) {
      s.end('account disabled or its key changed');
    }
  }
}

export interface EventRouteOptions {
  /** How often an open stream re-reads its user (ms). */
  recheckMs?: number;
}

export function registerEventRoutes(app: FastifyInstance, options: EventRouteOptions = {}): void {
  const recheckMs = options.recheckMs ?? DEFAULT_EVENTS_RECHECK_MS;
  const open = new Map<ServerResponse, OpenStream>();
  // Streams never end by themselves; end them first or closing the server would wait forever.
  app.addHook('preClose', async () => {
    for (const res of open.keys()) res.end();
  });
  // One timer and one query for every open stream, not one of each per stream.
  const recheck = setInterval(() => {
    if (open.size === 0) return;
    recheckStreams(app, [...open.values()]).catch((err: unknown) =>
      app.log.warn({ err }, 'event streams: re-reading their users failed'),
    );
  }, recheckMs);
  recheck.unref();
  app.addHook('onClose', async () => clearInterval(recheck));

  app.get(EVENTS_PATH, async (request, reply) => {
    const { user, expiresAt } = await authenticate(app, request);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\n: subscribed user ${user.id}\n\n`);
    const unsubscribe = app.farm.events.subscribe(user.id, (event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    // Events may have been lost: end the stream, the client reconnects and re-reads the state.
    const offGap = app.farm.events.onGap(() => res.end());
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const end = (why: string) => {
      if (res.writableEnded) return;
      request.log.info({ userId: user.id }, `event stream ended: ${why}`);
      // A comment, not an event: clients that know only task and frame events ignore it and reconnect.
      res.end(`: stream ended: ${why}\n\n`);
    };
    const expiry =
      expiresAt === undefined
        ? undefined
        : setTimeout(() => end('token expired'), Math.max(0, expiresAt - Date.now()));
    expiry?.unref();
    open.set(res, { user, end });
    res.on('close', () => {
      clearInterval(keepalive);
      if (expiry !== undefined) clearTimeout(expiry);
      unsubscribe();
      offGap();
      open.delete(res);
    });
  });
}
