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
import { NonceRegistry } from './auth/nonces.js';
import { SignatureVerifier } from './auth/verify.js';
import { catalogWindowFromEnv } from './catalog/live-renderers.js';
import { EventBus } from './events/bus.js';
import { registerEventRoutes } from './events/event-routes.js';
import { registerEndpointRoutes } from './api/endpoint-routes.js';
import type { FarmContext } from './http/context.js';
import { defaultBodyLimit, installBodyLimits } from './http/body-limits.js';
import { installErrorHandlers } from './http/errors.js';
import { installJsonBodyParser } from './http/json-body.js';
import { parsePublicUrl } from './http/public-url.js';
import { serializeRequest } from './http/log-redaction.js';
import {
  DEFAULT_UNVERIFIED_BUDGET,
  installUnverifiedGate,
  UnverifiedBudget,
} from './http/unverified-gate.js';
import { registerHealthRoute } from './ops/health-route.js';
import { registerMetricsRoute } from './ops/metrics-route.js';
import { registerOpenApiRoute } from './ops/openapi-route.js';
import { RequestMetrics } from './ops/request-metrics.js';
import { StorageHealth } from './ops/storage-health.js';
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
  /**
   * Largest accepted request body in bytes (default 64 MiB); larger ones get 413. Only the routes
   * that need it (job files, manifests, node logs) accept this much; other JSON calls take 4 MiB.
   */
  bodyLimit?: number;
  /** Bytes of JSON bodies read before their signature is checked, all requests together (default 64 MiB). */
  unverifiedBodyBudget?: number;
  /**
   * Bearer token `/metrics` asks for. Without one, `/metrics` answers loopback clients only.
   * Default: $OPENFARM_METRICS_TOKEN when set.
   */
  metricsToken?: string;
  /** How often an open event stream re-reads its user, to end it once disabled (ms, default 10 000). */
  eventsRecheckMs?: number;
  /** Routes of other areas (transfer, scheduler, dashboard), registered after the core ones. */
  plugins?: readonly FarmPlugin[];
  /** Clock for signature checks, in milliseconds. */
  now?: () => number;
  /**
   * Where clients reach this server behind a reverse proxy that rewrites Host (e.g.
   * `https://farm.studio.lan`): signatures over that host are accepted too, and it is the
   * address handed out to clients. See http/public-url.ts.
   */
  publicUrl?: string;
  /**
   * Render nodes seen within this many ms make the software catalogue clients are served
   * (default $OPENFARM_CATALOG_WINDOW_SEC, else 10 minutes; see catalog/live-renderers.ts).
   */
  catalogWindowMs?: number;
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
  // Checked before anything is opened: a mistyped URL must not leave a database open.
  const publicUrl = options.publicUrl !== undefined ? parsePublicUrl(options.publicUrl) : undefined;
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
      serializers: { req: serializeRequest },
      ...(options.logStream !== undefined ? { stream: options.logStream } : {}),
    },
    // JSON calls take 4 MiB; the few that need more are raised by installBodyLimits.
    bodyLimit: defaultBodyLimit(options.bodyLimit ?? DEFAULT_BODY_LIMIT),
    genReqId: () => randomUUID().replaceAll('-', ''),
  });
  const storage = new StorageHealth(store.db, options.dataDir);
  const nonces = new NonceRegistry(store.db, storage);
  const farm: FarmContext = {
    store,
    events: new EventBus(),
    verifier: new SignatureVerifier(store.db, {
      timestampWindowSec: options.timestampWindowSec ?? 300,
      nonces,
      ...(options.now !== undefined ? { now: options.now } : {}),
    }),
    eventsTokens: new EventsTokens(store.db),
    metrics: new RequestMetrics(),
    storage,
    unverified: new UnverifiedBudget(options.unverifiedBodyBudget ?? DEFAULT_UNVERIFIED_BUDGET),
    jobFileSources: [],
    dataDir: options.dataDir,
    publicUrl,
    catalogWindowMs: options.catalogWindowMs ?? catalogWindowFromEnv(),
  };
  app.decorate('farm', farm);
  app.decorateRequest('user', null);
  app.decorateRequest('signedBody', undefined);
  app.addHook('onResponse', async (request, reply) => {
    farm.metrics.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
  });
  installBodyLimits(app, options.bodyLimit ?? DEFAULT_BODY_LIMIT);
  installUnverifiedGate(app, farm.unverified, (accessId) => farm.verifier.findUser(accessId));
  installJsonBodyParser(app);
  installErrorHandlers(app);
  registerHealthRoute(app);
  registerMetricsRoute(app, {
    token: options.metricsToken ?? (process.env.OPENFARM_METRICS_TOKEN || undefined),
  });
  registerOpenApiRoute(app);
  registerEventRoutes(app, {
    ...(options.eventsRecheckMs !== undefined ? { recheckMs: options.eventsRecheckMs } : {}),
  });
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
    nonces.prune().catch((err: unknown) => app.log.warn({ err }, 'nonce pruning failed'));
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
