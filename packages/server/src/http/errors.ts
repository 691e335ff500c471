/**
 * Every failure answers with the reference envelope, in the caller's language:
 * API errors, malformed JSON, oversized bodies (413), unknown routes (404) and
 * unexpected exceptions (500, logged, no internals leaked). A full disk answers
 * STORAGE_FULL (7021, 507) and marks the farm degraded. A request the client
 * cut off is logged at info level, not as an error.
 */
import { ApiError, errorByCode, errorEnvelope, type Lang, langFromFlag } from '@openfarm/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStorageFull } from '../ops/storage-full.js';

/** A field-level problem found while validating a request. */
export interface FieldIssue {
  field: string;
  reason: string;
}

function isFieldIssue(x: unknown): x is FieldIssue {
  return typeof x === 'object' && x !== null && typeof (x as FieldIssue).field === 'string';
}

export function requestLang(request: FastifyRequest): Lang {
  const flag = request.headers.languageflag;
  return langFromFlag(Array.isArray(flag) ? flag[0] : flag);
}

/** Send an ApiError as an envelope; the message names the field or detail when there is one. */
export function sendApiError(request: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply {
  const lang = requestLang(request);
  const envelope = errorEnvelope(err.code, lang, request.id, err.detail);
  if (isFieldIssue(err.detail))
    envelope.message = `${envelope.message}: ${err.detail.field} (${err.detail.reason})`;
  else if (typeof err.detail === 'string') envelope.message = `${envelope.message}: ${err.detail}`;
  const status = errorByCode(err.code)?.httpStatus ?? 400;
  return reply.code(status).type('application/json; charset=utf-8').send(envelope);
}

function fromFastifyError(err: FastifyError): ApiError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ApiError.of('PAYLOAD_TOO_LARGE', { detail: err.message });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ApiError.of('ILLEGAL_PROTOCOL', { detail: 'send the body as application/json' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ApiError.of('PARAMETER_INVALID', { detail: err.message });
    default:
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        return ApiError.of('API_ERROR', { detail: err.message });
      }
      return undefined;
  }
}

/**
 * The client closed the connection while its request body was still arriving (a cut network, a
 * stopped upload): Node fails the body with ECONNRESET "aborted". Nothing is wrong on this side,
 * and nobody is left to answer; an operator should not find it among the errors.
 */
function clientWentAway(err: Error, request: FastifyRequest): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' && (err.message === 'aborted' || request.raw.socket?.destroyed === true);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return sendApiError(request, reply, err);
    const mapped = fromFastifyError(err);
    if (mapped !== undefined) return sendApiError(request, reply, mapped);
    if (isStorageFull(err)) {
      // A full disk is the operator's to fix, not a bug: say so, and let /healthz report it.
      app.farm.storage.reportFull(err);
      request.log.warn({ err }, 'storage full');
      return sendApiError(request, reply, ApiError.of('STORAGE_FULL'));
    }
    if (clientWentAway(err, request)) {
      request.log.info('the client closed the connection before its request was done');
      return sendApiError(
        request,
        reply,
        ApiError.of('PARAMETER_INVALID', { detail: 'the request was cut off' }),
      );
    }
    request.log.error({ err }, 'unhandled error');
    return sendApiError(request, reply, ApiError.of('INTERNAL_ERROR'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendApiError(
      request,
      reply,
      ApiError.of('RESOURCE_NOT_FOUND', {
        detail: `no route ${request.method} ${request.url.split('?')[0]}`,
      }),
    ),
  );
}
