/**
 * Compaction of mostly dead packs. Deleting a packed object only removes its
 * index row (the garbage collector's purge); its bytes stay in the pack. A
 * sealed pack (no store appends to it any more) whose live records (visible
 * and quarantined objects) fill less than `1 - minDeadFraction` of it is
 * rewritten: the live records are copied into a new pack, the index rows are
 * pointed at the copies in one transaction, and the old file is deleted by the
 * next compaction (a read that looked up the old place just before the swap
 * still finds it meanwhile).
 *
 * Why a kill -9 at any point loses nothing: the new pack is named in the index
 * (FILLING) before its file exists, written and flushed before the swap; until
 * the swap commits every row names the old pack, whose file is untouched; once
 * it commits every row names the new, flushed one. What a crash leaves is found
 * by the next run: a FILLING pack (no row names it) is deleted, a REPLACED
 * pack's file and then its row are deleted. The old file is deleted before its
 * row, so a store opening meanwhile never mistakes it for an unknown pack to
 * index again (which would bring purged objects back).
 */
import { randomUUID } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { blobKeyText } from './blob-key-text.js';
import { type PackIndex, PackState } from './pack-index.js';
import { PACK_RECORD_HEADER_BYTES } from './pack-record.js';

export interface CompactReport {
  /** Packs rewritten by this run. */
  readonly compacted: number;
  /** Bytes written into new packs by this run. */
  readonly bytesWritten: number;
  /** Bytes of replaced (or unfinished) pack files deleted by this run. */
  readonly bytesDeleted: number;
}

/**
 * One compaction at a time per folder: an exclusive transaction held on a small SQLite file
 * beside the packs. The lock is the file system's, so it goes with a killed process.
 */
function tryCompactionLock(dir: string): BetterSqlite3.Database | undefined {
  const db = new BetterSqlite3(join(dir, 'compact.lock'));
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw e;
  }
}

export interface CompactOptions {
  /** Rewrite a sealed pack once at least this share of it is dead (default 0.5). */
  readonly minDeadFraction?: number;
  readonly durable: boolean;
  readonly syncDir: (dir: string) => Promise<void>;
  /** For the crash test: called at each step, where a kill -9 might land. */
  readonly step?: (name: string) => void;
}

export async function compactPacks(
  dir: string,
  index: PackIndex,
  options: CompactOptions,
): Promise<CompactReport> {
  const minDead = options.minDeadFraction ?? 0.5;
  const step = options.step ?? (() => {});
  let compacted = 0;
  let bytesWritten = 0;
  let bytesDeleted = 0;
  // Another process compacting the same folder would take our FILLING pack for a crashed one's.
  const lock = tryCompactionLock(dir);
  if (lock === undefined) return { compacted, bytesWritten, bytesDeleted };
  try {
    const sizeOf = async (name: string) => (await stat(join(dir, name)).catch(() => undefined))?.size ?? 0;

    // What earlier runs (or crashes) left.
    for (const p of index.listPacks()) {
      if (p.state === PackState.REPLACED || p.state === PackState.FILLING) {
        bytesDeleted += await sizeOf(p.name);
        await rm(join(dir, p.name), { force: true });
        step('old-file-deleted');
        index.dropPack(p.id);
      }
    }

    for (const p of index.listPacks()) {
      if (p.state !== PackState.SEALED) continue;
      const size = await sizeOf(p.name);
      if (size === 0) continue;
      const live = index.liveRecords(p.id);
      const liveBytes = live.reduce((n, r) => n + PACK_RECORD_HEADER_BYTES + r.size, 0);
      if (1 - liveBytes / size < minDead) continue;

      const name = `${Date.now().toString(36)}-${randomUUID()}.pack`;
      const id = index.addPack(name);
      index.setPackState(id, PackState.FILLING);
      step('new-pack-named');
      const moved = new Map<string, number>();
      const source = await open(join(dir, p.name), 'r');
      const target = await open(join(dir, name), 'wx');
      try {
        let at = 0;
        for (const r of live) {
          const length = PACK_RECORD_HEADER_BYTES + r.size;
          const buf = Buffer.allocUnsafe(length);
          const { bytesRead } = await source.read(buf, 0, length, r.offset);
          if (bytesRead !== length)
            throw new Error(`blob pack ${p.name}: record at ${r.offset} is cut short`);
          await target.write(buf, 0, length, at);
          moved.set(blobKeyText(r), at);
          at += length;
          step('record-copied');
        }
        if (options.durable) await target.sync();
      } finally {
        await source.close();
        await target.close();
      }
      if (options.durable) await options.syncDir(dir);
      step('new-pack-written');
      index.swapPack(p.id, id, moved);
      step('swapped');
      compacted++;
      bytesWritten += await sizeOf(name);
    }
  } finally {
    lock.close();
  }
  return { compacted, bytesWritten, bytesDeleted };
}
