/**
 * Index the packs the index does not know: every pack when the index file was
 * lost (deleted by hand, or not restored with a backup of the packs).
 *
 * Each record names its own key, and its bytes are hashed again before it is
 * indexed, so only verified objects become visible. A pack is read up to its
 * first record that is not whole (a process killed in the middle of a write
 * leaves such a tail); a whole record whose bytes do not match its key is
 * skipped.
 */
import { createHash } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackedRow, PackIndex } from './pack-index.js';
import { decodeRecordHeader, PACK_RECORD_HEADER_BYTES } from './pack-record.js';

export interface RebuildReport {
  readonly packs: number;
  readonly objects: number;
  /** Whole records whose bytes did not match their key. */
  readonly corrupt: number;
}

export async function indexUnknownPacks(
  dir: string,
  index: PackIndex,
  maxObjectBytes: number,
): Promise<RebuildReport> {
  let packs = 0;
  let objects = 0;
  let corrupt = 0;
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.pack')).sort()) {
    if (index.knowsPack(name)) continue;
    let corruptHere = 0;
    const handle = await open(join(dir, name), 'r');
    const rows: Omit<PackedRow, 'packId'>[] = [];
    try {
      const storedAtMs = (await handle.stat()).mtimeMs;
      const header = Buffer.alloc(PACK_RECORD_HEADER_BYTES);
      for (let offset = 0; ; ) {
        const { bytesRead } = await handle.read(header, 0, header.length, offset);
        const key = bytesRead === header.length ? decodeRecordHeader(header) : undefined;
        if (key === undefined || key.size > maxObjectBytes) break;
        const bytes = Buffer.alloc(key.size);
        const body = await handle.read(bytes, 0, key.size, offset + header.length);
        if (body.bytesRead < key.size) break;
        if (createHash('sha256').update(bytes).digest('hex') === key.sha256) {
          rows.push({ ...key, offset, storedAtMs });
        } else {
          corruptHere += 1;
        }
        offset += header.length + key.size;
      }
    } finally {
      await handle.close();
    }
    // The pack and its objects in one transaction: a scan cut short is done again at the next start.
    if (index.adoptPack(name, rows)) {
      packs += 1;
      objects += rows.length;
      corrupt += corruptHere;
    }
  }
  return { packs, objects, corrupt };
}
