/**
 * Building and starting the farm's HTTP server.
 *
 * `createServer` wires the store, auth, event bus and every route onto one
 * fastify instance (not listening; tests may use `app.inject`); `startServer`
 * also listens and is what `openfarm server` runs. Other areas of the farm add
 * their routes through `plugins`, which run after the core routes with
 * `app.farm` available.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { openDataDirStore } from './data-dir.js';
import { EventsTokens } from './auth/events-token.js';
import { pruneNonces } from './auth/nonces.js';
import { SignatureVerifier } from './auth/verify.js';
import { EventBus } from './events/bus.js';
import { registerEventRoutes } from './events/event-routes.js';
import { registerEndpointRoutes } from './api/endpoint-routes.js';
import type { FarmContext } from './http/context.js';
import { installErrorHandlers } from './http/errors.js';
import { installJsonBodyParser } from './http/json-body.js';
import { registerHealthRoute } from './ops/health-route.js';
import { registerMetricsRoute } from './ops/metrics-route.js';
import { registerOpenApiRoute } from './ops/openapi-route.js';
import { RequestMetrics } from './ops/request-metrics.js';
import { seedStore } from './store/seed.js';
import type { Store } from './store/store.js';

export const DEFAULT_PORT = 7200;
export const DEFAULT_HOST = '127.0.0.1';
/** Large enough for the upload.json of a scene with ~100k assets sent through taskJsonFile. */
export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;

export type FarmPlugin = (app: FastifyInstance) => void | Promise<void>;

export interface ServerOptions {
  /** Data directory: `openfarm.db` and the blob folder live here. Required unless `store` is given. */
  dataDir?: string;
  /** A store opened by the caller (e.g. PostgreSQL); default: SQLite in `dataDir`. Closed by close(). */
  store?: Store;
  host?: string;
  port?: number;
  /** Accepted clock skew of signed requests, seconds either way (default 300). */
  timestampWindowSec?: number;
  /** pino level: fatal, error, warn, info, debug, trace or silent (default info). */
  logLevel?: string;
  /** Where the JSON log lines go (default standard output): a log shipper's stream, or a test's. */
  logStream?: { write(line: string): void };
  /** Largest accepted request body in bytes (default 64 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Routes of other areas (transfer, scheduler, dashboard), registered after the core ones. */
  plugins?: readonly FarmPlugin[];
  /** Clock for signature checks, in milliseconds. */
  now?: () => number;
}

export interface FarmServer {
  readonly app: FastifyInstance;
  readonly farm: FarmContext;
  close(): Promise<void>;
}

export interface RunningFarmServer extends FarmServer {
  /** `http://host:port` the server listens on. */
  readonly url: string;
}

export async function createServer(options: ServerOptions): Promise<FarmServer> {
  let store = options.store;
  if (store === undefined) {
    if (options.dataDir === undefined) throw new Error('createServer needs a dataDir or a store');
    store = await openDataDirStore(options.dataDir);
  } else {
    await store.migrate();
    await seedStore(store.db);
  }

  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      ...(options.logStream !== undefined ? { stream: options.logStream } : {}),
    },
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    genReqId: () => randomUUID().replaceAll('-', ''),
  });
  const farm: FarmContext = {
    store,
    events: new EventBus(),
    verifier: new SignatureVerifier(store.db, {
      timestampWindowSec: options.timestampWindowSec ?? 300,
      ...(options.now !== undefined ? { now: options.now } : {}),
    }),
    eventsTokens: new EventsTokens(store.db),
    metrics: new RequestMetrics(),
    jobFileSources: [],
    dataDir: options.dataDir,
  };
  app.decorate('farm', farm);
  app.decorateRequest('user', null);
  app.decorateRequest('signedBody', undefined);
  app.addHook('onResponse', async (request, reply) => {
    farm.metrics.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
  });
  installJsonBodyParser(app);
  installErrorHandlers(app);
  registerHealthRoute(app);
  registerMetricsRoute(app);
  registerOpenApiRoute(app);
  registerEventRoutes(app);
  registerEndpointRoutes(app);
  try {
    for (const plugin of options.plugins ?? []) await plugin(app);
  } catch (err) {
    // A plugin that cannot start (e.g. an unusable blob folder) must not leave the database open.
    await app.close();
    await store.close();
    throw err;
  }

  const pruneTimer = setInterval(() => {
    pruneNonces(store.db, Date.now()).catch((err: unknown) => app.log.warn({ err }, 'nonce pruning failed'));
  }, 60_000);
  pruneTimer.unref();

  let closing: Promise<void> | undefined;
  return {
    app,
    farm,
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** Create the server and listen; errors say which port or directory is the problem. */
export async function startServer(options: ServerOptions): Promise<RunningFarmServer> {
  const server = await createServer(options);
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  try {
    await server.app.listen({ host, port });
  } catch (err) {
    await server.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${port} on ${host} is already in use`);
    if (code === 'EACCES') throw new Error(`no permission to listen on ${host}:${port}`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`address ${host} is not available on this machine`);
    throw err;
  }
  const address = server.app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { ...server, url: `http://${shownHost}:${actualPort}` };
}
