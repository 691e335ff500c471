/**
 * `GET /healthz` for load balancers, monitors and `openfarm up`:
 * - 200 `{"status":"ok"}`: the store answers and the farm can write;
 * - 200 `{"status":"degraded","storage":"full",…}`: the store answers but the
 *   last write failed because the disk is full (reads still work; writes answer
 *   STORAGE_FULL 7021). Each check while degraded probes one small write and
 *   returns to "ok" by itself once it goes through. Still 200, so a load
 *   balancer keeps sending reads; monitors should look at `status`;
 * - 503 `{"status":"unavailable"}`: the store does not answer.
 * It reads no request body and touches no table of the farm's data, so it
 * stays fast whatever else the server is doing.
 */
import type { FastifyInstance } from 'fastify';

export function registerHealthRoute(app: FastifyInstance): void {
  app.get('/healthz', async (request, reply) => {
    try {
      // Not through the writer's connection: a check must not wait for a submit's transaction.
      await app.farm.store.ping();
    } catch (err) {
      request.log.error({ err }, 'health check: store unreachable');
      return reply.code(503).send({ status: 'unavailable' });
    }
    const state = await app.farm.storage.probe();
    if (!state.full) return reply.send({ status: 'ok' });
    const freeBytes = await app.farm.storage.freeBytes();
    return reply.send({
      status: 'degraded',
      storage: 'full',
      since: new Date(state.since ?? Date.now()).toISOString(),
      reason: state.reason,
      ...(app.farm.dataDir !== undefined ? { dataDir: app.farm.dataDir } : {}),
      ...(freeBytes !== undefined ? { freeBytes } : {}),
    });
  });
}
