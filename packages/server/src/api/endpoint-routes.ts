/**
 * Serves the endpoint catalogue: one POST route per endpoint at its current
 * path and at every legacy path, each with signature auth, body validation by
 * the endpoint's zod schema and the success envelope.
 */
import { ENDPOINT_LIST, type EndpointDef, okEnvelope } from '@openfarm/protocol';
import type { FastifyInstance } from 'fastify';
import { requireSignature, userOf } from '../auth/signed-routes.js';
import { parseBody } from '../http/validation.js';
import type { EndpointHandler, HandlerTable } from './handler.js';
import { ENV_HANDLERS } from './env-handlers.js';
import { QUERY_HANDLERS } from './query-handlers.js';
import { TAG_HANDLERS } from './tag-handlers.js';
import { TASK_HANDLERS } from './task-handlers.js';
import { TRANSMIT_HANDLERS } from './transmit-handlers.js';
import { USER_HANDLERS } from './user-handlers.js';
import { FRAME_HANDLERS } from './frame-handlers.js';
import { OPENFARM_HANDLERS } from './openfarm-handlers.js';

export const HANDLERS: HandlerTable = {
  ...USER_HANDLERS,
  ...TASK_HANDLERS,
  ...QUERY_HANDLERS,
  ...FRAME_HANDLERS,
  ...TAG_HANDLERS,
  ...ENV_HANDLERS,
  ...TRANSMIT_HANDLERS,
  ...OPENFARM_HANDLERS,
};

// The table is keyed by name, so each entry's handler matches its endpoint; the
// generic route only needs the erased signature.
type AnyHandler =
  EndpointHandler<never> extends (ctx: infer C, body: never) => infer R
    ? (ctx: C, body: unknown) => R
    : never;

function registerEndpoint(app: FastifyInstance, endpoint: EndpointDef, handler: AnyHandler): void {
  const preHandler = requireSignature(app);
  for (const path of [endpoint.path, ...endpoint.legacyPaths]) {
    app.post(path, { preHandler }, async (request, reply) => {
      const body = parseBody(endpoint.request, request.body, path);
      const data = await handler({ user: userOf(request), farm: app.farm, request }, body);
      return reply.send(okEnvelope(data ?? null, request.id));
    });
  }
}

export function registerEndpointRoutes(app: FastifyInstance): void {
  for (const endpoint of ENDPOINT_LIST) {
    const handler = (HANDLERS as Record<string, AnyHandler | undefined>)[endpoint.name];
    if (handler !== undefined) registerEndpoint(app, endpoint, handler);
  }
}
