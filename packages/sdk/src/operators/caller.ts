/**
 * Typed calls through the protocol's endpoint catalogue: the body is checked
 * against the endpoint's request schema before anything is sent (as the
 * reference's Cerberus schemas did), and `data` comes back typed by the
 * endpoint's response schema.
 */
import {
  ApiError,
  ENDPOINTS,
  type EndpointName,
  ERRORS,
  type RequestOf,
  type ResponseOf,
} from '@openfarm/protocol';
import type { Connection } from '../client/connection.js';

export type Input<N extends EndpointName> = RequestOf<(typeof ENDPOINTS)[N]>;
export type Output<N extends EndpointName> = ResponseOf<(typeof ENDPOINTS)[N]>;

export class Caller {
  constructor(readonly connection: Connection) {}

  async call<N extends EndpointName>(name: N, body: Input<N>): Promise<Output<N>> {
    const endpoint = ENDPOINTS[name];
    const parsed = endpoint.request.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
      // A bad body never reaches the server: the caller learns what is wrong without a round trip.
      throw new ApiError(ERRORS.PARAMETER_INVALID.code, {
        message: `invalid request for ${name}: ${issues.join('; ')}`,
        path: this.connection.origin + endpoint.path,
        detail: parsed.error.issues,
      });
    }
    return (await this.connection.post(endpoint.path, parsed.data as object)) as Output<N>;
  }
}
