/**
 * The blob garbage collector: frees the bytes of blobs nothing references
 * (referenced-blobs.ts says what a reference is), without ever losing one an
 * upload is about to reference.
 *
 * Why it is safe while uploads run. An upload references a blob in one of two ways:
 * 1. It stores the blob, then records its reference (held-blob row, manifest row).
 *    The blob is then younger than the grace period, and nothing younger than
 *    the grace is touched: the request would have to take longer than the
 *    grace between storing and recording.
 * 2. It finds the blob stored already (`has`), skips storing it, and records its
 *    reference. The blob may be old and unreferenced at the moment the collector
 *    looked. So deleting is two steps (BlobCollection): the collector first
 *    *quarantines* an old unreferenced blob (hidden atomically: from then on
 *    `has` is false and every new upload stores its own copy), and purges it
 *    only once it has stayed unreferenced in quarantine for the grace period.
 *    An upload that saw the blob just before it was hidden writes its reference
 *    milliseconds later; the next look (at the end of this run, or any later
 *    run) finds the reference and restores the blob. Losing it would need one
 *    request to take longer than the grace between `has` and its insert.
 * The grace (default an hour) must therefore exceed the longest request;
 * quarantine, restore and purge are idempotent, so servers running the
 * collector at once do no harm.
 */
import type { Kysely } from 'kysely';
import { blobKeyText } from '../blob/blob-key-text.js';
import type { BlobCollection, BlobKey } from '../blob/index.js';
import type { Database } from '../store/database.js';
import { referencedBlobs } from './referenced-blobs.js';

export const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;

/** Blobs looked up per round trip to the database. */
const BATCH = 2000;

export interface GarbageReport {
  /** Visible blobs looked at. */
  scanned: number;
  /** Old unreferenced blobs hidden by this run (purged by a later one, after the grace). */
  quarantined: number;
  /** Hidden blobs found referenced again and made visible. */
  restored: number;
  /** Hidden blobs dropped for good, and their bytes. */
  purged: number;
  purgedBytes: number;
  /** Bytes of pack files the local store's compaction deleted (0 elsewhere). */
  compactedBytes: number;
}

export interface CollectGarbageOptions {
  readonly db: Kysely<Database>;
  readonly blobs: BlobCollection;
  /** Blobs younger than this, and hidden ones hidden for less, are kept (default an hour). */
  readonly graceMs?: number;
  readonly now?: () => number;
}

export async function collectGarbage(options: CollectGarbageOptions): Promise<GarbageReport> {
  const { db, blobs } = options;
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const now = options.now ?? Date.now;
  const report: GarbageReport = {
    scanned: 0,
    quarantined: 0,
    restored: 0,
    purged: 0,
    purgedBytes: 0,
    compactedBytes: 0,
  };

  // Sweep: what earlier runs hid is restored when referenced now, purged once hidden for the grace.
  const hidden: Array<BlobKey & { quarantinedAtMs: number }> = [];
  for await (const q of blobs.listQuarantined()) hidden.push(q);
  for (let i = 0; i < hidden.length; i += BATCH) {
    const slice = hidden.slice(i, i + BATCH);
    const referenced = await referencedBlobs(db, slice);
    const cutoff = now() - graceMs;
    for (const q of slice) {
      const key = { sha256: q.sha256, size: q.size };
      if (referenced.has(blobKeyText(key))) {
        await blobs.restore(key);
        report.restored++;
      } else if (q.quarantinedAtMs < cutoff) {
        await blobs.purge(key);
        report.purged++;
        report.purgedBytes += key.size;
      }
    }
  }

  // Mark: old visible blobs nothing references are hidden.
  const hiddenNow: BlobKey[] = [];
  let batch: BlobKey[] = [];
  const markBatch = async () => {
    const referenced = await referencedBlobs(db, batch);
    const cutoff = now() - graceMs;
    for (const key of batch) {
      if (referenced.has(blobKeyText(key))) continue;
      if (await blobs.quarantine(key, cutoff)) hiddenNow.push(key);
    }
    batch = [];
  };
  for await (const s of blobs.list()) {
    report.scanned++;
    if (s.storedAtMs >= now() - graceMs) continue;
    batch.push({ sha256: s.sha256, size: s.size });
    if (batch.length >= BATCH) await markBatch();
  }
  if (batch.length > 0) await markBatch();
  report.quarantined = hiddenNow.length;

  // An upload that found one of them just before it was hidden has written its reference by now,
  // most likely: give it back at once rather than at the next run.
  for (let i = 0; i < hiddenNow.length; i += BATCH) {
    const slice = hiddenNow.slice(i, i + BATCH);
    const referenced = await referencedBlobs(db, slice);
    for (const key of slice) {
      if (!referenced.has(blobKeyText(key))) continue;
      await blobs.restore(key);
      report.quarantined--;
      report.restored++;
    }
  }
  // Purged packed objects are dead bytes inside their packs until a mostly dead pack is rewritten.
  if (blobs.compact !== undefined) report.compactedBytes = (await blobs.compact()).bytesDeleted;
  return report;
}
