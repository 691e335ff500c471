/**
 * The door before the body. A signed JSON call is read and parsed before its
 * signature can be checked (the body is part of what was signed), so without
 * this gate anyone could make the server buffer 64 MiB per connection: 16
 * concurrent 60 MB POSTs without credentials once took it from 464 MB to
 * 1.2 GB and `/healthz` to 6.7 s.
 *
 * Before a JSON body is read (an `onRequest` hook: nothing of the body has
 * been taken off the socket yet), the gate
 * 1. refuses a body on a route that does not exist (404);
 * 2. refuses a body without credentials (611), and one whose `accessId` no user
 *    has (611), after one indexed lookup; the user row found rides on the
 *    request so the signature check does not look it up again;
 * 3. reserves the body's size (its Content-Length, or the route's body limit
 *    when it is chunked) from one server-wide budget of unverified bytes, and
 *    answers 503 SERVER_BUSY (7020) when the budget is spent; the reservation
 *    is given back when the request ends.
 * Each refusal closes the connection, so a client still sending its body
 * cannot keep the server reading it.
 *
 * Bodies of other types are not read here: the byte-stream routes
 * (application/octet-stream) check their token or signature in a preHandler
 * before the handler reads a byte, and any other type is refused by the
 * content-type check before its body is read. Requests with a bearer token
 * (render nodes) pass to the budget: their token is checked by their routes.
 */
import { ApiError } from '@openfarm/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRow } from '../accounts/users.js';
import { carriesBody, declaredLength, refusedBeforeBody, requestHeader } from './unread-body.js';

/** Bytes of unverified JSON bodies the server holds at once, by default. */
export const DEFAULT_UNVERIFIED_BUDGET = 64 * 1024 * 1024;

const RESERVED = Symbol('openfarm.unverifiedBytes');
const PREFETCHED = Symbol('openfarm.prefetchedUser');

type GatedRequest = FastifyRequest & { [RESERVED]?: number; [PREFETCHED]?: UserRow };

/** Bytes in flight of requests whose sender is not yet proven; a counter, nothing more. */
export class UnverifiedBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.used;
  }

  tryReserve(bytes: number): boolean {
    // One request larger than the whole budget still gets in when nothing else is in flight.
    if (this.used > 0 && this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

function isJson(request: FastifyRequest): boolean {
  const type = requestHeader(request, 'content-type') ?? '';
  return /^application\/json\b/i.test(type.trimStart());
}

/** The user the gate found for the request's accessId, if it looked one up. */
export function prefetchedUser(request: FastifyRequest): UserRow | undefined {
  return (request as GatedRequest)[PREFETCHED];
}

function refuse(request: FastifyRequest, reply: FastifyReply, err: ApiError): never {
  // The gate runs only for requests that carry a body: each refusal ends the connection.
  throw refusedBeforeBody(request, reply, err);
}

export function installUnverifiedGate(
  app: FastifyInstance,
  budget: UnverifiedBudget,
  findUser: (accessId: string) => Promise<UserRow | undefined>,
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!carriesBody(request) || !isJson(request)) return;
    const path = request.url.split('?')[0] ?? request.url;
    if (request.is404) {
      refuse(
        request,
        reply,
        ApiError.of('RESOURCE_NOT_FOUND', { detail: `no route ${request.method} ${path}` }),
      );
    }
    const accessId = requestHeader(request, 'accessid');
    if (accessId !== undefined) {
      if (requestHeader(request, 'signature') === undefined) {
        refuse(
          request,
          reply,
          ApiError.of('SIGNATURE_INVALID', { path, detail: 'the signature header is required' }),
        );
      }
      const user = await findUser(accessId);
      if (user === undefined) refuse(request, reply, ApiError.of('SIGNATURE_INVALID', { path }));
      (request as GatedRequest)[PREFETCHED] = user;
    } else if (requestHeader(request, 'authorization') === undefined) {
      refuse(
        request,
        reply,
        ApiError.of('SIGNATURE_INVALID', { path, detail: 'accessId and signature headers are required' }),
      );
    }
    const bytes = declaredLength(request) ?? request.routeOptions.bodyLimit;
    if (!budget.tryReserve(bytes)) {
      request.log.warn({ bytes, inFlight: budget.inFlight }, 'unverified body budget spent; refused');
      refuse(request, reply, ApiError.of('SERVER_BUSY', { path }));
    }
    (request as GatedRequest)[RESERVED] = bytes;
  });

  const giveBack = async (request: FastifyRequest): Promise<void> => markVerified(request, budget);
  // The bytes stop counting once the sender is proven (markVerified) or the request is over, however it ended.
  app.addHook('onResponse', giveBack);
  app.addHook('onRequestAbort', giveBack);
}

/**
 * Give back a request's reservation, once: called by the signature check when the sender is
 * proven (its body no longer counts as unverified), and when the request ends.
 */
export function markVerified(request: FastifyRequest, budget: UnverifiedBudget): void {
  const gated = request as GatedRequest;
  const bytes = gated[RESERVED];
  if (bytes === undefined) return;
  gated[RESERVED] = undefined;
  budget.release(bytes);
}
