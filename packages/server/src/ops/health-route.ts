/** `GET /healthz`: 200 when the store answers a query, 503 otherwise (for load balancers and `up`). */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';

export function registerHealthRoute(app: FastifyInstance): void {
  app.get('/healthz', async (request, reply) => {
    try {
      await sql`select 1`.execute(app.farm.store.db);
      return reply.send({ status: 'ok' });
    } catch (err) {
      request.log.error({ err }, 'health check: store unreachable');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
