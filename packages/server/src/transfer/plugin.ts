/**
 * The transfer routes as a server plugin:
 * `createServer({ dataDir, plugins: [transferPlugin()] })`.
 * By default blobs live in `<dataDir>/blobs` and upload staging files in
 * `<dataDir>/blobs-staging` (same file system, so completing an upload is a rename).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BlobStore, LocalBlobStore } from '../blob/index.js';
import { registerBlobRoutes } from './blob-routes.js';
import { registerDownloadRoute } from './download-route.js';
import { registerManifestRoutes } from './manifest-routes.js';
import { TransferTokens } from './transfer-tokens.js';
import { UploadSessions } from './upload-sessions.js';
import type { UploadStagingKind } from './upload-staging.js';

export interface TransferOptions {
  /** Default: a LocalBlobStore in `<dataDir>/blobs`. */
  blobs?: BlobStore;
  /** fsync the default local store's objects before they become visible (default true); see LocalBlobStoreOptions. */
  durableBlobs?: boolean;
  /**
   * Write uploads' whole blocks past the page cache (O_DIRECT; default true, and a file system
   * that refuses it gets ordinary writes). Turn off where a synchronous write costs more than the
   * copy it saves: staging or blobs on a network file system with a long round trip.
   */
  directWrites?: boolean;
  /** Default: `<dataDir>/blobs-staging`. */
  stagingDir?: string;
  /**
   * Where resumable uploads wait (upload-staging.ts): `files` in stagingDir (default) or
   * `database`, for several servers on one database that continue each other's uploads.
   */
  uploadStaging?: UploadStagingKind;
  /** Quota of users without their own row in transfer_quotas; default unlimited. */
  defaultQuotaBytes?: number;
  /** Largest chunk or small blob one PUT may carry (default 256 MiB). */
  maxRequestBytes?: number;
}

export const DEFAULT_MAX_TRANSFER_REQUEST_BYTES = 256 * 1024 * 1024;

export function transferPlugin(options: TransferOptions = {}): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const dataDir = app.farm.dataDir;
    const need = (what: string): string => {
      if (dataDir === undefined)
        throw new Error(`transfer: pass ${what} when the server has no data directory`);
      return dataDir;
    };
    let blobs = options.blobs;
    if (blobs === undefined) {
      const owned = await LocalBlobStore.open(join(need('blobs'), 'blobs'), {
        durable: options.durableBlobs ?? true,
        directWrites: options.directWrites ?? true,
      });
      // After the routes' last requests: fastify runs onClose once in-flight requests are done.
      app.addHook('onClose', async () => owned.close());
      blobs = owned;
    }
    const sessions = await UploadSessions.open({
      db: app.farm.store.db,
      blobs,
      stagingDir: options.stagingDir ?? join(need('stagingDir'), 'blobs-staging'),
      ...(options.uploadStaging !== undefined ? { staging: options.uploadStaging } : {}),
      ...(options.defaultQuotaBytes !== undefined ? { defaultQuotaBytes: options.defaultQuotaBytes } : {}),
      directWrites: options.directWrites ?? true,
    });
    const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_TRANSFER_REQUEST_BYTES;
    const sweep = setInterval(() => {
      sessions
        .sweepExpired()
        .catch((err: unknown) => app.log.warn({ err }, 'sweeping abandoned uploads failed'));
    }, 3600_000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
    // An encapsulated scope, so the raw-bytes parser applies to these routes only.
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
        done(null, payload),
      );
      const tokens = new TransferTokens(app.farm.store.db);
      registerBlobRoutes(scope, sessions, tokens, maxRequestBytes);
      registerManifestRoutes(scope);
      registerDownloadRoute(scope, blobs, tokens);
    });
  };
}
