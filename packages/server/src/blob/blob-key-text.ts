import type { BlobKey } from './blob-store.js';

/** `sha256:size`, a blob key as one string (map keys, sets). */
export function blobKeyText(key: BlobKey): string {
  return `${key.sha256}:${key.size}`;
}
