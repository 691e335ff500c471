/**
 * Index the packs the index does not know: every pack when the index file was
 * lost (deleted by hand, or not restored with a backup of the packs).
 *
 * Each record names its own key, and its bytes are hashed again before it is
 * indexed, so only verified objects become visible. Where the next record is
 * not whole (a process killed while several writes were in flight can leave a
 * gap or a torn record anywhere near the end; a failed write leaves one), the
 * scan looks further on for the record marker and goes on from the first
 * candidate whose bytes match its key: a marker that happens to occur inside
 * an object's bytes cannot pass that check.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobKey } from './blob-store.js';
import type { PackedRow, PackIndex } from './pack-index.js';
import { decodeRecordHeader, PACK_RECORD_HEADER_BYTES, PACK_RECORD_MAGIC } from './pack-record.js';

/** The forward search reads this much at a time. */
const SEARCH_WINDOW_BYTES = 1024 * 1024;

export interface RebuildReport {
  readonly packs: number;
  readonly objects: number;
  /** Records where one was expected, whole, whose bytes did not match their key. */
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
    const handle = await open(join(dir, name), 'r');
    let found: { rows: Omit<PackedRow, 'packId'>[]; corrupt: number };
    try {
      found = await scanPack(handle, maxObjectBytes);
    } finally {
      await handle.close();
    }
    // The pack and its objects in one transaction: a scan cut short is done again at the next start.
    if (index.adoptPack(name, found.rows)) {
      packs += 1;
      objects += found.rows.length;
      corrupt += found.corrupt;
    }
  }
  return { packs, objects, corrupt };
}

async function scanPack(
  handle: FileHandle,
  maxObjectBytes: number,
): Promise<{ rows: Omit<PackedRow, 'packId'>[]; corrupt: number }> {
  const { size: fileSize, mtimeMs: storedAtMs } = await handle.stat();
  const rows: Omit<PackedRow, 'packId'>[] = [];
  let corrupt = 0;
  /** Whether `offset` is where the previous record ended (not a place the search found). */
  let inStep = true;
  for (let offset = 0; offset < fileSize; ) {
    const record = await readRecord(handle, offset, maxObjectBytes);
    if (record?.verified) {
      rows.push({ ...record.key, offset, storedAtMs });
      offset += PACK_RECORD_HEADER_BYTES + record.key.size;
      inStep = true;
      continue;
    }
    if (record !== undefined && inStep) corrupt += 1;
    const next = await findMarker(handle, offset + 1, fileSize);
    if (next === undefined) break;
    offset = next;
    inStep = false;
  }
  return { rows, corrupt };
}

/** The whole record at `offset` and whether its bytes match its key; undefined when there is none. */
async function readRecord(
  handle: FileHandle,
  offset: number,
  maxObjectBytes: number,
): Promise<{ key: BlobKey; verified: boolean } | undefined> {
  const header = Buffer.alloc(PACK_RECORD_HEADER_BYTES);
  const { bytesRead } = await handle.read(header, 0, header.length, offset);
  const key = bytesRead === header.length ? decodeRecordHeader(header) : undefined;
  if (key === undefined || key.size > maxObjectBytes) return undefined;
  const bytes = Buffer.alloc(key.size);
  const body = await handle.read(bytes, 0, key.size, offset + header.length);
  if (body.bytesRead < key.size) return undefined;
  return { key, verified: createHash('sha256').update(bytes).digest('hex') === key.sha256 };
}

/** The offset of the next record marker at or after `from`. */
async function findMarker(handle: FileHandle, from: number, fileSize: number): Promise<number | undefined> {
  const window = Buffer.alloc(SEARCH_WINDOW_BYTES);
  // Windows overlap by the marker's length less one, so a marker across a boundary is found.
  for (let at = from; at < fileSize; at += window.length - (PACK_RECORD_MAGIC.length - 1)) {
    const { bytesRead } = await handle.read(window, 0, window.length, at);
    const i = window.subarray(0, bytesRead).indexOf(PACK_RECORD_MAGIC);
    if (i !== -1) return at + i;
    if (bytesRead < window.length) return undefined;
  }
  return undefined;
}
