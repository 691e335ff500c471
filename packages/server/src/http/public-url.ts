/**
 * `--public-url`: the address clients use to reach a server that sits behind a
 * reverse proxy. Clients sign the host they were configured with (the
 * rayvision signature covers the domain); a proxy that rewrites the Host header
 * (nginx's default `proxy_set_header Host $proxy_host`) would make every
 * signature fail. With a public URL the server accepts a signature over either
 * the Host it received (clients that reach it directly) or the public host, and
 * hands out the public address where it tells clients where to connect (the
 * transfer engine's host and port, the OpenAPI document's server).
 */
import type { FastifyRequest } from 'fastify';
import type { FarmContext } from './context.js';

/** Parse and check a public URL: http or https, a host, nothing after it. */
export function parsePublicUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--public-url ${JSON.stringify(text)} is not a URL (e.g. https://farm.studio.lan)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--public-url must be http:// or https://, not ${url.protocol}//`);
  }
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.pathname !== '/'
  ) {
    throw new Error(
      `--public-url is a scheme, a host and an optional port only, not ${JSON.stringify(text)}`,
    );
  }
  return url;
}

/** The Host header the client used, as the server received it. */
export function receivedHost(request: FastifyRequest): string {
  // Node keeps the Host header as sent (host:port), which is what a direct client signed.
  return request.headers.host ?? '';
}

/** The host a client behind the proxy signed: the public URL's host[:port], when one is set. */
export function publicHost(farm: FarmContext): string | undefined {
  return farm.publicUrl?.host;
}

/** Where clients reach this server: the public URL, else how this request reached it. */
export function advertisedOrigin(
  request: FastifyRequest,
  farm: FarmContext,
): { protocol: 'http' | 'https'; host: string } {
  if (farm.publicUrl !== undefined) {
    return { protocol: farm.publicUrl.protocol === 'https:' ? 'https' : 'http', host: farm.publicUrl.host };
  }
  return { protocol: request.protocol === 'https' ? 'https' : 'http', host: receivedHost(request) };
}
