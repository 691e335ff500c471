/**
 * The shape of one endpoint in the catalogue. The catalogue is the single
 * source for the server's routes, the SDK's operators and the OpenAPI document.
 */
import type { z } from 'zod';

export type OperatorName = 'user' | 'task' | 'query' | 'tag' | 'env' | 'transmit' | 'openfarm';

export interface EndpointDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** Unique name `<operator>.<method>`, shared by the server handler table and the SDK. */
  readonly name: string;
  readonly operator: OperatorName;
  /** camelCase SDK method name on the operator. */
  readonly method: string;
  /** Current path (always POST). */
  readonly path: string;
  /** Legacy (v1) paths accepted by the server as aliases of the same handler. */
  readonly legacyPaths: readonly string[];
  /** Schema of the request body. */
  readonly request: Req;
  /** Schema of the envelope's `data`. */
  readonly response: Res;
  readonly summary: string;
}

export function defineEndpoint<Req extends z.ZodType, Res extends z.ZodType>(
  def: EndpointDef<Req, Res>,
): EndpointDef<Req, Res> {
  return def;
}

export type RequestOf<E extends EndpointDef> = z.input<E['request']>;
export type ParsedRequestOf<E extends EndpointDef> = z.output<E['request']>;
export type ResponseOf<E extends EndpointDef> = z.output<E['response']>;
