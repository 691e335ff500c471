/**
 * `GET /metrics` in the Prometheus text format: HTTP requests by route and
 * status, tasks by status and frames by state, live event-stream subscribers.
 *
 * Cheap: the task and frame counts are a group-by over whole tables (about
 * 0.8 s for a million frames on SQLite, measured), so they are computed at
 * most once per COUNTS_TTL_MS and shared by every scrape in between (one
 * query in flight at a time, however many scrapers ask). Where counting takes
 * long, the counts are kept COST_FACTOR times as long as they took to make,
 * so counting never takes more than 2 % of the server's time whatever the
 * scrape rate: a million frames are recounted every ~40 s.
 *
 * Access is a choice: with a token (`openfarm server --metrics-token`, or
 * OPENFARM_METRICS_TOKEN) every scrape must send `Authorization: Bearer
 * <token>`; without one, only clients on this machine (loopback) may scrape.
 * Behind a reverse proxy on the same machine every request comes from
 * loopback: set a token there.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ApiError } from '@openfarm/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const COUNTS_TTL_MS = 5000;
const COST_FACTOR = 50;

export interface MetricsOptions {
  /** Bearer token scrapers must send; undefined: loopback clients only. */
  token?: string | undefined;
}

interface Counts {
  tasks: Array<{ status: number; n: number }>;
  frames: Array<{ state: number; n: number }>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkAccess(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    if (isLoopback(request.socket.remoteAddress)) return;
    throw ApiError.of('FORBIDDEN', {
      path: '/metrics',
      detail:
        '/metrics answers this machine only; start the server with --metrics-token to scrape it remotely',
    });
  }
  const h = request.headers.authorization;
  const given = h?.startsWith('Bearer ') === true ? h.slice(7).trim() : '';
  if (!tokenMatches(given, token)) {
    throw ApiError.of('NEED_USER_LOGIN', {
      path: '/metrics',
      detail: 'send Authorization: Bearer <metrics token>',
    });
  }
}

export function registerMetricsRoute(app: FastifyInstance, options: MetricsOptions = {}): void {
  const token = options.token === '' ? undefined : options.token;
  let cached: { at: number; ttl: number; counts: Promise<Counts> } | undefined;

  const countNow = async (): Promise<Counts> => {
    const { db } = app.farm.store;
    const tasks = await db
      .selectFrom('tasks')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('is_delete', '=', 0)
      .groupBy('status')
      .orderBy('status')
      .execute();
    const frames = await db
      .selectFrom('frames')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .orderBy('state')
      .execute();
    return {
      tasks: tasks.map((t) => ({ status: t.status, n: Number(t.n) })),
      frames: frames.map((f) => ({ state: f.state, n: Number(f.n) })),
    };
  };

  const counts = (): Promise<Counts> => {
    const now = Date.now();
    if (cached === undefined || now - cached.at >= cached.ttl) {
      const pending = countNow();
      // Kept for good while it runs, however long: one count in flight at a time.
      const entry = { at: now, ttl: Number.POSITIVE_INFINITY, counts: pending };
      cached = entry;
      pending.then(
        () => {
          entry.ttl = Math.max(COUNTS_TTL_MS, COST_FACTOR * (Date.now() - now));
        },
        () => {
          // A failed count is not kept: the next scrape asks again.
          if (cached === entry) cached = undefined;
        },
      );
    }
    return cached.counts;
  };

  app.get('/metrics', async (request, reply) => {
    checkAccess(request, token);
    const { tasks, frames } = await counts();
    const lines: string[] = [
      '# HELP openfarm_http_requests_total HTTP requests answered, by route and status.',
      '# TYPE openfarm_http_requests_total counter',
      ...app.farm.metrics
        .entries()
        .map(
          (e) =>
            `openfarm_http_requests_total{method="${e.method}",route="${escapeLabel(e.route)}",status="${e.status}"} ${e.count}`,
        ),
      '# HELP openfarm_tasks Tasks outside the recycle bin, by reference task status (cached, see README).',
      '# TYPE openfarm_tasks gauge',
      ...tasks.map((t) => `openfarm_tasks{status="${t.status}"} ${t.n}`),
      '# HELP openfarm_frames Frames by reference frame status (cached, see README).',
      '# TYPE openfarm_frames gauge',
      ...frames.map((f) => `openfarm_frames{state="${f.state}"} ${f.n}`),
      '# HELP openfarm_event_subscribers Open event streams.',
      '# TYPE openfarm_event_subscribers gauge',
      `openfarm_event_subscribers ${app.farm.events.subscriberCount()}`,
      '# HELP openfarm_unverified_body_bytes Bytes of request bodies read before their signature is checked.',
      '# TYPE openfarm_unverified_body_bytes gauge',
      `openfarm_unverified_body_bytes ${app.farm.unverified.inFlight}`,
      '# HELP openfarm_storage_full 1 while the last write failed because the disk is full.',
      '# TYPE openfarm_storage_full gauge',
      `openfarm_storage_full ${app.farm.storage.state.full ? 1 : 0}`,
    ];
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });
}
