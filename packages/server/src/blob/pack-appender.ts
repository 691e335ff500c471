/**
 * Appends small objects to pack files and makes them visible in groups.
 *
 * Why packs: a file per small object costs an inode, a directory entry in a
 * temporary folder, a rename into place and, when durable, two fsyncs. Appended
 * to a pack, a small object costs one positioned write, and a group of them one
 * fsync and one index transaction. See bench/README.md ("small objects in
 * packs") for the measurements.
 *
 * Each store appends only to packs it made itself, so two stores (or two
 * processes) on one folder never write the same file; the offset of the next
 * record is then known without asking the file system. A record becomes visible
 * only once its index row is committed, after its bytes were written (and, when
 * durable, flushed): a process killed in between leaves unreferenced bytes in
 * the pack, never a visible half-written object.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobKey } from './blob-store.js';
import { writeAll } from './body-writer.js';
import { type PackedRow, type PackIndex, PackState } from './pack-index.js';
import { encodeRecordHeader, PACK_RECORD_HEADER_BYTES } from './pack-record.js';

/** A pack is closed for appends once it would grow past this; the next object starts a new one. */
const DEFAULT_PACK_MAX_BYTES = 1024 * 1024 * 1024;

interface OpenPack {
  readonly id: number;
  readonly handle: FileHandle;
  /** Where the next record goes: every record's place is reserved before its write starts. */
  end: number;
  /** Writes started and not finished. */
  writing: number;
  /** No more appends: closed once its last write is written and, when durable, flushed. */
  retired: boolean;
}

interface Waiting {
  readonly row: PackedRow;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export interface PackAppenderOptions {
  readonly durable: boolean;
  /** Flush a folder's entries (a new pack's name) to the disk. */
  readonly syncDir: (dir: string) => Promise<void>;
  readonly maxPackBytes?: number;
}

export class PackAppender {
  private current: Promise<OpenPack> | undefined;
  private readonly retired = new Set<OpenPack>();
  /** Packs written to since their last fsync (durable stores only). */
  private readonly unsynced = new Set<OpenPack>();
  private waiting: Waiting[] = [];
  /** Appends not yet settled, so closing waits for writes still in flight. */
  private readonly appending = new Set<Promise<void>>();
  private committing: Promise<void> | undefined;
  private readonly maxPackBytes: number;

  constructor(
    private readonly dir: string,
    private readonly index: PackIndex,
    private readonly options: PackAppenderOptions,
  ) {
    this.maxPackBytes = options.maxPackBytes ?? DEFAULT_PACK_MAX_BYTES;
  }

  /** Append one verified object; resolves once it is visible through the index. */
  append(key: BlobKey, bytes: Uint8Array): Promise<void> {
    const appending = this.appendNow(key, bytes);
    this.appending.add(appending);
    const forget = () => this.appending.delete(appending);
    appending.then(forget, forget);
    return appending;
  }

  private async appendNow(key: BlobKey, bytes: Uint8Array): Promise<void> {
    const length = PACK_RECORD_HEADER_BYTES + bytes.length;
    const { pack, offset } = await this.reserve(length);
    try {
      await writeAllAt(pack.handle, [encodeRecordHeader(key), bytes], offset);
      if (this.options.durable) this.unsynced.add(pack);
    } catch (e) {
      // The failed record's place holds a partial write: later records go to a new pack, so the
      // damage is the last thing in this one (what a rebuild of a lost index reads past).
      this.retire(pack);
      throw e;
    } finally {
      pack.writing -= 1;
    }
    await this.publish({ ...key, packId: pack.id, offset, storedAtMs: Date.now() });
  }

  /** Wait for every append under way, then close the packs (the store is closing). */
  async close(): Promise<void> {
    while (this.appending.size > 0) await Promise.allSettled([...this.appending]);
    while (this.committing !== undefined) await this.committing;
    const current = this.current;
    this.current = undefined;
    const packs = [...this.retired];
    this.retired.clear();
    const last = await current?.catch(() => undefined);
    if (last !== undefined) packs.push(last);
    await Promise.all(packs.map((p) => p.handle.close()));
    // Never appended to again: compaction may rewrite them (pack-compact.ts).
    for (const p of packs) this.index.setPackState(p.id, PackState.SEALED);
  }

  /**
   * A place for a record of `length` bytes. Reserved in the same step as the check that it fits:
   * objects stored side by side wait for the same pack to open, then each takes its own place.
   */
  private async reserve(length: number): Promise<{ pack: OpenPack; offset: number }> {
    for (;;) {
      if (this.current === undefined) {
        const opening = this.openPack();
        this.current = opening;
        // A failed open (a full disk) is tried again by the next object, not remembered.
        opening.catch(() => {
          if (this.current === opening) this.current = undefined;
        });
      }
      const opening = this.current;
      const pack = await opening;
      if (!pack.retired && (pack.end === 0 || pack.end + length <= this.maxPackBytes)) {
        const offset = pack.end;
        pack.end += length;
        pack.writing += 1;
        return { pack, offset };
      }
      this.retire(pack);
      if (this.current === opening) this.current = undefined;
    }
  }

  /** No more appends to `pack` (full, or a write to it failed); the next object opens a new one. */
  private retire(pack: OpenPack): void {
    if (pack.retired) return;
    pack.retired = true;
    this.retired.add(pack);
  }

  private async openPack(): Promise<OpenPack> {
    const name = `${Date.now().toString(36)}-${randomUUID()}.pack`;
    // Named in the index first: a pack file the index does not know is one to scan (pack-rebuild.ts).
    const id = this.index.addPack(name);
    const handle = await open(join(this.dir, name), 'wx');
    if (this.options.durable) await this.options.syncDir(this.dir);
    return { id, handle, end: 0, writing: 0, retired: false };
  }

  private publish(row: PackedRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (this.committing === undefined) {
        this.committing = this.commitGroups().finally(() => {
          this.committing = undefined;
        });
      }
    });
  }

  /** Commit whatever has been written, group after group, until nothing waits. */
  private async commitGroups(): Promise<void> {
    while (this.waiting.length > 0) {
      // One turn of the event loop lets the writes finishing alongside join this group.
      await new Promise<void>((r) => setImmediate(r));
      const group = this.waiting;
      this.waiting = [];
      try {
        // Flushed before indexed: a visible object's bytes are on the disk first.
        const flushing = [...this.unsynced];
        this.unsynced.clear();
        await Promise.all(flushing.map((p) => p.handle.datasync()));
        this.index.insert(group.map((w) => w.row));
        for (const w of group) w.resolve();
      } catch (e) {
        for (const w of group) w.reject(e);
      }
      await this.closeRetired();
    }
  }

  private async closeRetired(): Promise<void> {
    for (const pack of this.retired) {
      if (pack.writing > 0 || this.unsynced.has(pack)) continue;
      this.retired.delete(pack);
      await pack.handle.close();
      this.index.setPackState(pack.id, PackState.SEALED);
    }
  }
}

/** Write `parts` at `position` in full (a positioned writev may write less, on a nearly full disk for one). */
async function writeAllAt(handle: FileHandle, parts: Uint8Array[], position: number): Promise<void> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const written = (await handle.writev(parts, position)).bytesWritten;
  if (written < total)
    await writeAll(handle, Buffer.concat(parts), written, total - written, position + written);
}
