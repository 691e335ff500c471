/** Request bodies of the transfer endpoints. */
import { z } from 'zod';
import { MAX_BATCH } from './paths.js';
import { STORAGES } from './storage.js';

export const blobKeySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  size: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const emptyBody = z.object({});

export const missingBody = z.object({ blobs: z.array(blobKeySchema).max(MAX_BATCH) });

export const uploadCompleteBody = z.object({ uploadId: z.string().min(1).max(64) });

export const storageSchema = z.enum(STORAGES);

export const manifestBody = z.object({
  storage: storageSchema,
  entries: z
    .array(
      blobKeySchema.extend({
        path: z.string().min(1).max(4096),
        /** ms epoch */
        mtime: z.int().min(0),
      }),
    )
    .max(MAX_BATCH),
});

export const listBody = z.object({
  storage: storageSchema,
  prefix: z.string().min(1).max(4096).default('/'),
  after: z.string().max(4096).optional(),
  limit: z.int().min(1).max(MAX_BATCH).optional(),
  /** A main account reading a sub-account's output storage. */
  userId: z.int().min(1).optional(),
});
