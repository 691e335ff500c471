/**
 * Errors raised on the client side. They extend the protocol's `ApiError` so a
 * caller can catch every failure of the SDK — answered by a server or found
 * locally — with one `instanceof ApiError` and branch on `code`, which always
 * comes from the protocol's error catalogue.
 */
import { ApiError, ERRORS, type ErrorSymbol } from '@openfarm/protocol';

export interface RayvisionErrorInit {
  /** Structured detail (allowed values, offending paths …). */
  detail?: unknown;
  cause?: unknown;
}

/** A failure found by the SDK itself (bad input, missing file, refused check). */
export class RayvisionError extends ApiError {
  constructor(symbol: ErrorSymbol, message: string, init: RayvisionErrorInit = {}) {
    super(ERRORS[symbol].code, { message, detail: init.detail });
    this.name = 'RayvisionError';
    // No URL: the reference's `Error code: X, Error message: Y` form without `URL:`.
    this.message = `Error code: ${this.code}, Error message: ${message}`;
    if (init.cause !== undefined) this.cause = init.cause;
  }
}

/** A task id that is not a positive integer (reference `RayvisonTaskIdError`, code 2000). */
export class TaskIdError extends RayvisionError {
  constructor(value: unknown) {
    super(
      'TASK_ID_TYPE_ERROR',
      `task id must be a positive integer, got ${JSON.stringify(value) ?? String(value)}`,
    );
    this.name = 'TaskIdError';
  }
}

/** Validate and normalise a task id given as a number or a numeric string. */
export function toTaskId(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new TaskIdError(value);
  return n;
}
