/**
 * `--storage`: where the farm keeps its blobs. A folder (the embedded farm's
 * `<dataDir>/blobs` by default) opens the local directory store; `s3://BUCKET[/PREFIX]?…`
 * opens @openfarm/blob-s3, imported only then, so a farm on local disk never loads
 * the AWS SDK (nor needs it installed).
 */
import { join, resolve } from 'node:path';
import { BlobStorageConfigError, type BlobStore } from '@openfarm/protocol';
import { LocalBlobStore } from './local-store.js';

export interface OpenedBlobStorage {
  readonly blobs: BlobStore;
  /** Where the blobs are, without secrets: `DIR` or `s3://bucket/prefix at endpoint`. */
  readonly description: string;
  /** What opening did that the operator should hear about (e.g. a bucket created). */
  readonly notes: readonly string[];
  close(): Promise<void>;
}

export interface OpenBlobStorageOptions {
  /** Local store: write uploads past the page cache (default true). */
  readonly directWrites?: boolean;
  /** Local store: append small objects to pack files (default true). */
  readonly packSmallObjects?: boolean;
  /** Local store: fsync before an object becomes visible (default true). */
  readonly durable?: boolean;
  /** S3: create the bucket when it is missing (default true; `--check` only looks). */
  readonly createBucket?: boolean;
}

/** `--storage`, else OPENFARM_STORAGE, else `<dataDir>/blobs`. */
export function resolveStorage(
  option: string | undefined,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return option || env.OPENFARM_STORAGE || join(dataDir, 'blobs');
}

export async function openBlobStorage(
  storage: string,
  options: OpenBlobStorageOptions = {},
): Promise<OpenedBlobStorage> {
  if (storage.startsWith('s3://')) return openS3(storage, options.createBucket ?? true);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(storage)) {
    throw new BlobStorageConfigError(
      `--storage ${JSON.stringify(storage.replace(/\/\/[^/@]*@/, '//***@'))}: a folder or ` +
        's3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true',
    );
  }
  const dir = resolve(storage);
  const blobs = await LocalBlobStore.open(dir, {
    ...(options.directWrites !== undefined ? { directWrites: options.directWrites } : {}),
    ...(options.packSmallObjects !== undefined ? { packSmallObjects: options.packSmallObjects } : {}),
    ...(options.durable !== undefined ? { durable: options.durable } : {}),
  });
  return { blobs, description: dir, notes: [], close: () => blobs.close() };
}

async function openS3(storage: string, createBucket: boolean): Promise<OpenedBlobStorage> {
  let s3: typeof import('@openfarm/blob-s3');
  try {
    s3 = await import('@openfarm/blob-s3');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new BlobStorageConfigError(
      's3:// storage needs the @openfarm/blob-s3 package beside @openfarm/server (npm install @openfarm/blob-s3)',
    );
  }
  const config = s3.parseS3StorageUrl(storage);
  const description = s3.describeS3Storage(config);
  const blobs = await s3.S3BlobStore.open({ ...config, createBucket });
  const notes: string[] = [];
  if (blobs.openReport.bucketCreated) notes.push(`created bucket ${config.bucket}`);
  if (blobs.openReport.abandonedUploadsAborted > 0) {
    notes.push(
      `aborted ${blobs.openReport.abandonedUploadsAborted} multipart uploads abandoned over a day ago`,
    );
  }
  return { blobs, description, notes, close: () => blobs.close() };
}
