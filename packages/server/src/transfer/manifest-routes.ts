/** Routes over the manifests: batched writes and listings of a storage. */
import type { FastifyInstance } from 'fastify';
import { registerSignedRoute } from '../auth/signed-routes.js';
import { listManifest, writeManifest } from './manifest.js';
import { TRANSFER_PATHS } from './paths.js';
import { listBody, manifestBody } from './schemas.js';
import { readableOwnerId, storageOwnerId } from './storage.js';

export function registerManifestRoutes(scope: FastifyInstance): void {
  registerSignedRoute(scope, {
    path: TRANSFER_PATHS.manifest,
    schema: manifestBody,
    handler: async (user, body) => {
      const owner = storageOwnerId(user, body.storage);
      const written = await writeManifest(scope.farm.store.db, owner, user, body.storage, body.entries);
      return { written };
    },
  });

  registerSignedRoute(scope, {
    path: TRANSFER_PATHS.list,
    schema: listBody,
    handler: async (user, body) =>
      listManifest(
        scope.farm.store.db,
        await readableOwnerId(scope.farm.store.db, user, body.storage, body.userId),
        body.storage,
        body.prefix,
        {
          ...(body.after !== undefined ? { after: body.after } : {}),
          ...(body.limit !== undefined ? { limit: body.limit } : {}),
        },
      ),
  });
}
