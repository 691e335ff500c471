/**
 * Errors the CLI raises itself (a bad flag, no farm configured, an ambiguous
 * platform). They extend the protocol's `ApiError`, so every failure carries a
 * code from the one catalogue, like the SDK's and the render node's; the
 * message stays plain because `openfarm: message` is what the user reads.
 */
import { ApiError, ERRORS, type ErrorSymbol } from '@openfarm/protocol';

export class CliError extends ApiError {
  constructor(symbol: ErrorSymbol, message: string, init: { detail?: unknown; cause?: unknown } = {}) {
    super(ERRORS[symbol].code, { message, detail: init.detail });
    this.name = 'CliError';
    this.message = message;
    if (init.cause !== undefined) this.cause = init.cause;
  }
}
