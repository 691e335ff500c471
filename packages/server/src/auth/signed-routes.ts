/**
 * Fastify glue for signed requests.
 *
 * - `requireSignature(app)` is a preHandler that verifies the request and sets
 *   `request.user`. JSON routes are verified over the parsed body; routes that
 *   take or return a byte stream pass `{ signBody: false }` and the client
 *   signs path + headers with an empty body.
 * - `registerSignedRoute(app, …)` adds an openfarm route under
 *   `/api/openfarm/…` with signature auth, zod body validation and the
 *   envelope, the same way the catalogue's endpoints are served.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { okEnvelope } from '@openfarm/protocol';
import type { z } from 'zod';
import type { UserRow } from '../accounts/users.js';
import { publicHost, receivedHost } from '../http/public-url.js';
import { markVerified, prefetchedUser } from '../http/unverified-gate.js';
import { parseBody } from '../http/validation.js';

export interface SignatureOptions {
  /** Include the JSON body in the signed material (default true). */
  signBody?: boolean;
}

export function requireSignature(
  app: FastifyInstance,
  options: SignatureOptions = {},
): preHandlerAsyncHookHandler {
  const signBody = options.signBody ?? true;
  return async (request) => {
    request.user = await app.farm.verifier.verify(
      {
        host: receivedHost(request),
        publicHost: publicHost(app.farm),
        path: request.url.split('?')[0] ?? request.url,
        headers: request.headers,
        body: signBody ? request.signedBody : undefined,
      },
      prefetchedUser(request),
    );
    markVerified(request, app.farm.unverified);
  };
}

/** The authenticated user of a request that went through requireSignature. */
export function userOf(request: FastifyRequest): UserRow {
  if (request.user === null) throw new Error(`route ${request.url} used userOf() without requireSignature()`);
  return request.user;
}

export interface SignedRouteOptions<S extends z.ZodType, R> {
  path: string;
  /** Body schema; validation failures answer 600/601 naming the field. */
  schema: S;
  handler: (user: UserRow, body: z.output<S>, request: FastifyRequest, reply: FastifyReply) => Promise<R>;
}

/** A signed POST route answering `okEnvelope(handler result)`. */
export function registerSignedRoute<S extends z.ZodType, R>(
  app: FastifyInstance,
  options: SignedRouteOptions<S, R>,
): void {
  app.post(options.path, { preHandler: requireSignature(app) }, async (request, reply) => {
    const body = parseBody(options.schema, request.body, options.path);
    const data = await options.handler(userOf(request), body, request, reply);
    return reply.send(okEnvelope(data, request.id));
  });
}
