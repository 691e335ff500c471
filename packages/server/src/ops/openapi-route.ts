/** `GET /api/openfarm/openapi.json`: the OpenAPI document of the endpoint catalogue, for this server's URL. */
import { openApiDocument } from '@openfarm/protocol';
import type { FastifyInstance } from 'fastify';
import { advertisedOrigin } from '../http/public-url.js';

export function registerOpenApiRoute(app: FastifyInstance): void {
  let cached: string | undefined;
  app.get('/api/openfarm/openapi.json', async (request, reply) => {
    // The catalogue is static; only the server URL depends on how the caller reached us.
    cached ??= JSON.stringify(openApiDocument());
    const doc = JSON.parse(cached) as Record<string, unknown>;
    const origin = advertisedOrigin(request, app.farm);
    doc.servers = [{ url: `${origin.protocol}://${origin.host || 'localhost'}` }];
    return reply.type('application/json; charset=utf-8').send(doc);
  });
}
