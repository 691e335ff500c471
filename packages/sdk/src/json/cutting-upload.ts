/**
 * `cuttingUpload` (reference rayvision_sync.utils.cutting_upload): split a huge
 * upload.json into `upload_1.json`, `upload_2.json`, … so the parts can be
 * uploaded in parallel.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RayvisionError } from '../errors.js';
import { writeJsonAtomic } from './atomic-write.js';
import { isJsonObject, readJsonObject } from './read-json.js';

export interface CuttingUploadOptions {
  /** Entries per part; default: everything in one part (no split). */
  maxResourcesNumber?: number;
  /** Folder for the parts; default the folder of upload.json. Created when missing. */
  afterCuttingPosition?: string;
}

/**
 * Returns the paths of the parts, or `[uploadJsonPath]` when no split is
 * needed. Each part holds only `asset`: the other keys (`scene` and its hash)
 * describe the whole job and stay in the original file.
 */
export async function cuttingUpload(
  uploadJsonPath: string,
  options: CuttingUploadOptions = {},
): Promise<string[]> {
  const doc = await readJsonObject(uploadJsonPath).catch((cause: unknown) => {
    if (cause instanceof RayvisionError && cause.symbol === 'FILE_NOT_FOUND') {
      throw new RayvisionError('UPLOAD_FILE_MISSING', `upload.json to split not found: ${uploadJsonPath}`, {
        cause,
      });
    }
    throw cause;
  });
  const asset = Array.isArray(doc.asset) ? doc.asset.filter(isJsonObject) : [];
  const max = options.maxResourcesNumber;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new RayvisionError(
      'JSON_HELPER_ERROR',
      `maxResourcesNumber must be a positive integer, got ${max}`,
    );
  }
  if (max === undefined || asset.length <= max) return [uploadJsonPath];
  const folder = options.afterCuttingPosition ?? dirname(uploadJsonPath);
  await mkdir(folder, { recursive: true });
  const parts: string[] = [];
  for (let start = 0; start < asset.length; start += max) {
    const part = join(folder, `upload_${parts.length + 1}.json`);
    await writeJsonAtomic(part, { asset: asset.slice(start, start + max) });
    parts.push(part);
  }
  return parts;
}
