/**
 * JSON bodies are parsed twice over one text: with parseJsonText for the
 * signature (numbers keep their source text, as the client signed Python's
 * str() of them) and as plain values for validation and handlers.
 */
import { ApiError, parseJsonText, toPlainJson } from '@openfarm/protocol';
import type { FastifyInstance } from 'fastify';

export function installJsonBodyParser(app: FastifyInstance): void {
  // Every reference call is JSON; a text body would reach handlers unsigned and unparsed, so refuse it (415 → 603).
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    const body = typeof text === 'string' ? text : text.toString('utf8');
    if (body.trim() === '') {
      // The reference posts `{}` for calls without parameters; an empty body means the same.
      request.signedBody = {};
      done(null, {});
      return;
    }
    try {
      const parsed = parseJsonText(body);
      request.signedBody = parsed;
      done(null, toPlainJson(parsed));
    } catch (err) {
      done(
        ApiError.of('PARAMETER_INVALID', { detail: `malformed JSON: ${(err as Error).message}` }),
        undefined,
      );
    }
  });
}
