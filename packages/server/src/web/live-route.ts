/**
 * `GET /ui/events`: the dashboard's live stream. The page re-reads its live
 * regions when an event arrives, so events carry no data at all: nothing of
 * a task reaches a stream that is not the owner's (or, for a main account, a
 * sub-account owner's). `log` fires when a visible task's frame log grows (the
 * log panel fetches the new lines). An admin's stream also fires on every
 * frame change and on `node` (a render node registered, polled, leased or was
 * enabled/disabled), for the render nodes page.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { visibleOwnerIds } from '../tasks/visibility.js';
import { type DashboardSession, sessionOf } from './session.js';

const KEEPALIVE_MS = 15_000;
/** How often an open stream checks that its session still holds (default; see DashboardOptions). */
export const SESSION_RECHECK_MS = 10_000;

export function registerLiveRoute(
  scope: FastifyInstance,
  app: FastifyInstance,
  sessionFor: (request: FastifyRequest) => Promise<DashboardSession>,
  recheckMs = SESSION_RECHECK_MS,
): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  scope.get('/ui/events', async (request, reply) => {
    const { user } = await sessionFor(request);
    const owners = await visibleOwnerIds(app.farm.store.db, user);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 3000\n\n');
    open.add(res);
    const send = (type: string) => res.write(`event: ${type}\ndata: {}\n\n`);
    // Per owner (these also reach replicas sharing PostgreSQL); an admin also hears this process's
    // other events, for the nodes page (which also re-reads itself each minute, for a node that falls
    // silent). Repeats are harmless: the page debounces.
    const offs = owners.map((id) => app.farm.events.subscribe(id, (e) => send(e.type)));
    if (user.is_admin !== 0) offs.push(app.farm.events.subscribeAll((e) => send(e.type)));
    // Dashboard nudges: new log lines of a visible owner's frame; render node changes for admins.
    const admin = user.is_admin !== 0;
    offs.push(
      app.farm.events.onSignal((signal) => {
        if (signal.kind === 'log' ? owners.includes(signal.userId) : admin) send(signal.kind);
      }),
    );
    const unsubscribe = () => {
      for (const off of offs) off();
    };
    const offGap = app.farm.events.onGap(() => res.end());
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    // A session ends on sign-out, key rotation or a disabled account: so does its stream, with an
    // event that sends the page to the sign-in form.
    const recheck = setInterval(() => {
      sessionOf(app.farm.store.db, request)
        .then((session) => {
          if (session !== undefined) return;
          res.write('event: signed-out\ndata: {}\n\n');
          res.end();
        })
        .catch(() => undefined);
    }, recheckMs);
    recheck.unref();
    res.on('close', () => {
      clearInterval(keepalive);
      clearInterval(recheck);
      unsubscribe();
      offGap();
      open.delete(res);
    });
  });
}
