/**
 * One record of a pack file: a small object's key, then its bytes.
 *
 *   "OFB1" | SHA-256 (32 raw bytes) | size (unsigned 64-bit big-endian) | size bytes
 *
 * The index says where each record starts, but a record also names itself, so a
 * lost index can be rebuilt from the packs alone (pack-rebuild.ts).
 */
import type { BlobKey } from './blob-store.js';

/** The marker each record starts with (a rebuild searches for it past damage). */
export const PACK_RECORD_MAGIC = Buffer.from('OFB1', 'latin1');

export const PACK_RECORD_HEADER_BYTES = 44;

export function encodeRecordHeader(key: BlobKey): Buffer {
  const header = Buffer.alloc(PACK_RECORD_HEADER_BYTES);
  PACK_RECORD_MAGIC.copy(header, 0);
  header.write(key.sha256, 4, 32, 'hex');
  header.writeBigUInt64BE(BigInt(key.size), 36);
  return header;
}

/** The key a record header names, or undefined when `header` is not one (a torn or foreign tail). */
export function decodeRecordHeader(header: Buffer): BlobKey | undefined {
  if (header.length < PACK_RECORD_HEADER_BYTES || !header.subarray(0, 4).equals(PACK_RECORD_MAGIC))
    return undefined;
  const size = header.readBigUInt64BE(36);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { sha256: header.subarray(4, 36).toString('hex'), size: Number(size) };
}
