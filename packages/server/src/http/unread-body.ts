/**
 * Requests refused before their body is read (a hook that runs on the
 * headers alone): the answer ends the connection, or a client still sending
 * its body, or one that never will, holds it open until the server's request
 * timeout, and the rest of the body is never read.
 */
import type { ApiError } from '@openfarm/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A request header's first value; undefined when absent or empty. */
export function requestHeader(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

/** The declared body length, when it is a byte count. */
export function declaredLength(request: FastifyRequest): number | undefined {
  const text = requestHeader(request, 'content-length');
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Whether a body follows the headers (a length above 0, or chunked). */
export function carriesBody(request: FastifyRequest): boolean {
  const length = declaredLength(request);
  return (length !== undefined && length > 0) || requestHeader(request, 'transfer-encoding') !== undefined;
}

/** `err`, with the answer set to end the connection when a body follows that will not be read. */
export function refusedBeforeBody(request: FastifyRequest, reply: FastifyReply, err: ApiError): ApiError {
  if (carriesBody(request)) reply.header('connection', 'close');
  return err;
}
