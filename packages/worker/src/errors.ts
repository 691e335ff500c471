/**
 * Errors the render node raises itself. They extend the protocol's `ApiError`,
 * so every failure carries a code from the one catalogue, like the SDK's; the
 * message stays plain text because it ends up in a frame's log and the node's
 * own log lines, where `Error code: …, Error message: …` would only be noise.
 */
import { ApiError, ERRORS, type ErrorSymbol } from '@openfarm/protocol';

export class WorkerError extends ApiError {
  constructor(symbol: ErrorSymbol, message: string, init: { detail?: unknown; cause?: unknown } = {}) {
    super(ERRORS[symbol].code, { message, detail: init.detail });
    this.name = 'WorkerError';
    this.message = message;
    if (init.cause !== undefined) this.cause = init.cause;
  }
}
