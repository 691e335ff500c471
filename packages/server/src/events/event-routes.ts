/**
 * `GET /api/openfarm/events`: the caller's task and frame changes as
 * server-sent events (`event: task|frame`, `data: <FarmEvent JSON>`).
 *
 * Authentication: the signature headers (the client signs the path
 * `/api/openfarm/events` with an empty body), or `?token=` from
 * `openfarm.eventsToken` for clients that cannot set headers (EventSource).
 */

import type { ServerResponse } from 'node:http';
import { ApiError } from '@openfarm/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserRow } from '../accounts/users.js';

export const EVENTS_PATH = '/api/openfarm/events';
/** Comment lines keep proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

async function authenticate(app: FastifyInstance, request: FastifyRequest): Promise<UserRow> {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  if (typeof token !== 'string') {
    return app.farm.verifier.verify({
      host: request.headers.host ?? '',
      path: EVENTS_PATH,
      headers: request.headers,
      body: undefined,
    });
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
  return user;
}

export function registerEventRoutes(app: FastifyInstance): void {
  const open = new Set<ServerResponse>();
  // Streams never end by themselves; end them first or closing the server would wait forever.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get(EVENTS_PATH, async (request, reply) => {
    const user = await authenticate(app, request);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\n: subscribed user ${user.id}\n\n`);
    open.add(res);
    const unsubscribe = app.farm.events.subscribe(user.id, (event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    // Events may have been lost: end the stream, the client reconnects and re-reads the state.
    const offGap = app.farm.events.onGap(() => res.end());
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    res.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      offGap();
      open.delete(res);
    });
  });
}
