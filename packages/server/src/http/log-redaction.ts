/**
 * What the request log may say. Fastify logs every request's URL; the event
 * stream's `?token=` (a browser's EventSource cannot send headers) is a bearer
 * credential for five minutes, and a log is read by more people than the farm's
 * users. Query values of credential-like parameters are replaced before any
 * line is written.
 */
import type { FastifyRequest } from 'fastify';

const SECRET_PARAMS = /^(token|access_?token|access_?key|signature|key|secret|password)$/i;

/** `url` with the values of credential-like query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the name as sent
      }
      return eq !== -1 && SECRET_PARAMS.test(name) ? `${rawName}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** pino serializer for `req`: fastify's default fields, with the URL redacted. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
