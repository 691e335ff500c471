/**
 * Per-route body limits. A JSON call's body is read and parsed before its
 * signature can be checked, so every byte a route accepts is a byte anyone
 * holding an access id can make the server hold. Each JSON route therefore
 * accepts only what its schema can ever need: 4 MiB by default (the largest
 * ordinary body, a 100 000-id list, is under 2 MiB), and the server's whole
 * ceiling (64 MiB by default) only where a job file or a 10 000-entry manifest
 * can be that large. Routes that set their own `bodyLimit` (the byte-stream
 * PUTs, authenticated before their body is read) keep it.
 */
import { ENDPOINTS, NODE_PATHS, TRANSFER_PATHS } from '@openfarm/protocol';
import type { FastifyInstance } from 'fastify';

export const JSON_BODY_LIMIT = 4 * 1024 * 1024;

/** Routes whose JSON body may be as large as the server's ceiling, and why. */
const LARGE_JSON_ROUTES: ReadonlySet<string> = new Set([
  // upload.json of a scene with ~100k assets sent as one string.
  ENDPOINTS['transmit.uploadJsonContent'].path,
  ...ENDPOINTS['transmit.uploadJsonContent'].legacyPaths,
  // 10 000 entries with paths of up to 4096 characters.
  TRANSFER_PATHS.manifest,
  // Up to 5000 log lines of up to 16 384 characters.
  NODE_PATHS.log,
]);

/** The server-wide limit: what a JSON route takes unless it is one of the large ones. */
export function defaultBodyLimit(ceiling: number): number {
  return Math.min(JSON_BODY_LIMIT, ceiling);
}

/**
 * Raise the limit of the large JSON routes registered from now on to the
 * server's ceiling. Every other route keeps the server-wide default (or the
 * limit it or its parser names: the byte streams' 256 MiB, forms' 64 KiB).
 */
export function installBodyLimits(app: FastifyInstance, ceiling: number): void {
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit === undefined && LARGE_JSON_ROUTES.has(route.url ?? route.path)) {
      route.bodyLimit = ceiling;
    }
  });
}
