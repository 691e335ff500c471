/**
 * `GET /metrics` in the Prometheus text format: HTTP requests by route and
 * status, tasks by status and frames by state (counted from the store at
 * scrape time, so they are never stale), and live event-stream subscribers.
 */
import type { FastifyInstance } from 'fastify';

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function registerMetricsRoute(app: FastifyInstance): void {
  app.get('/metrics', async (_request, reply) => {
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
    const lines: string[] = [
      '# HELP openfarm_http_requests_total HTTP requests answered, by route and status.',
      '# TYPE openfarm_http_requests_total counter',
      ...app.farm.metrics
        .entries()
        .map(
          (e) =>
            `openfarm_http_requests_total{method="${e.method}",route="${escapeLabel(e.route)}",status="${e.status}"} ${e.count}`,
        ),
      '# HELP openfarm_tasks Tasks outside the recycle bin, by reference task status.',
      '# TYPE openfarm_tasks gauge',
      ...tasks.map((t) => `openfarm_tasks{status="${t.status}"} ${Number(t.n)}`),
      '# HELP openfarm_frames Frames by reference frame status.',
      '# TYPE openfarm_frames gauge',
      ...frames.map((f) => `openfarm_frames{state="${f.state}"} ${Number(f.n)}`),
      '# HELP openfarm_event_subscribers Open event streams.',
      '# TYPE openfarm_event_subscribers gauge',
      `openfarm_event_subscribers ${app.farm.events.subscriberCount()}`,
    ];
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });
}
