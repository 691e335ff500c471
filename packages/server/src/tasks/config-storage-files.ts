/**
 * Job files uploaded the reference's way: through the transfer engine to
 * `/<taskId>/cfg/<file>` of the owner's config storage, instead of through
 * taskJsonFile. This source lets submit (and the scheduler) find them there.
 */
import { join } from 'node:path';
import { ApiError, MAX_JOB_FILE_CHARS } from '@openfarm/protocol';
import type { FastifyInstance } from 'fastify';
import { type BlobStore, LocalBlobStore } from '../blob/index.js';
import { getManifestEntry } from '../transfer/manifest.js';
import type { JobFileSource } from './job-files.js';

/** UTF-8 needs at most 4 bytes per character. */
const MAX_JOB_FILE_BYTES = MAX_JOB_FILE_CHARS * 4;

export function configStorageJobFiles(blobs: BlobStore): JobFileSource {
  return async (db, userId, taskId, fileName) => {
    const entry = await getManifestEntry(db, userId, 'config', `/${taskId}/cfg/${fileName}`);
    if (entry === undefined) return undefined;
    if (entry.size > MAX_JOB_FILE_BYTES) {
      throw ApiError.of('PARAMETER_INVALID', {
        detail: { field: fileName, reason: `${entry.size} bytes is more than a job file may hold` },
      });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await blobs.get({ sha256: entry.sha256, size: entry.size })) {
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks).toString('utf8');
  };
}

/**
 * Server plugin registering the config-storage source. `blobs` defaults to the
 * local blob folder the transfer plugin uses (`<dataDir>/blobs`); pass the
 * same BlobStore as the transfer plugin when it is given one.
 */
export function configStoragePlugin(
  options: { blobs?: BlobStore } = {},
): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    let blobs = options.blobs;
    if (blobs === undefined) {
      if (app.farm.dataDir === undefined)
        throw new Error('config storage: pass blobs when the server has no data directory');
      const owned = await LocalBlobStore.open(join(app.farm.dataDir, 'blobs'));
      app.addHook('onClose', async () => owned.close());
      blobs = owned;
    }
    app.farm.jobFileSources.push(configStorageJobFiles(blobs));
  };
}
