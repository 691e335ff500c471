/** The shape of an endpoint handler: the authenticated caller and the validated body in, `data` out. */
import type { EndpointName, Endpoints, ParsedRequestOf, ResponseOf } from '@openfarm/protocol';
import type { FastifyRequest } from 'fastify';
import type { UserRow } from '../accounts/users.js';
import type { FarmContext } from '../http/context.js';

export interface HandlerContext {
  readonly user: UserRow;
  readonly farm: FarmContext;
  readonly request: FastifyRequest;
}

export type EndpointHandler<N extends EndpointName> = (
  ctx: HandlerContext,
  body: ParsedRequestOf<Endpoints[N]>,
) => Promise<ResponseOf<Endpoints[N]>>;

/** Handlers keyed by catalogue name; each operator file exports a part of it. */
export type HandlerTable = { [N in EndpointName]?: EndpointHandler<N> };
