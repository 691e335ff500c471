/**
 * The node's content cache: input files stored once by content hash and shared
 * by every task that needs them, so a texture used by a hundred frames (or a
 * hundred tasks) crosses the network once.
 *
 * - Layout: `<dir>/<first two hex digits>/<hash>`; fills are written under
 *   `<dir>/.partial/` and renamed into place only after their hash checks out, so
 *   a reader never sees a half-written file and a crash leaves only debris in
 *   `.partial/` (cleared on open).
 * - Size cap with least-recently-used eviction. "Used" is the file's mtime,
 *   bumped on every hit, so the order survives restarts. Entries pinned by a
 *   running stage are never evicted; an entry larger than the whole cap is kept
 *   while pinned and goes first afterwards.
 * - Several worker processes may share one cache folder (`openfarm up` starts N
 *   nodes on one machine): fills race harmlessly (same bytes, atomic rename), and
 *   every hit checks the file is still there rather than trusting the index.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';

export interface ContentCacheOptions {
  readonly dir: string;
  readonly maxBytes: number;
  /** Hash algorithm of the content addresses (node:crypto name). */
  readonly algorithm?: string;
}

/** Writes the blob's bytes to `tmpPath`. */
export type CacheFill = (tmpPath: string) => Promise<void>;

interface Entry {
  size: number;
  /** Use order: higher is more recent. */
  lastUsed: number;
  pins: number;
}

export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

const HASH = /^[0-9a-f]{16,128}$/;

export class ContentCache {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly algorithm: string;
  private readonly entries = new Map<string, Entry>();
  private readonly filling = new Map<string, Promise<string>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private clock = 0;

  private constructor(opts: ContentCacheOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.algorithm = opts.algorithm ?? 'sha256';
  }

  /** Open (or create) a cache folder, indexing what it already holds. */
  static async open(opts: ContentCacheOptions): Promise<ContentCache> {
    const cache = new ContentCache(opts);
    await rm(join(opts.dir, '.partial'), { recursive: true, force: true });
    await mkdir(join(opts.dir, '.partial'), { recursive: true });
    const found: Array<{ hash: string; size: number; mtimeMs: number }> = [];
    for (const shard of await readdir(opts.dir)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(join(opts.dir, shard))) {
        if (!HASH.test(name)) continue;
        const s = await stat(join(opts.dir, shard, name));
        found.push({ hash: name, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
    for (const f of found.sort((a, b) => a.mtimeMs - b.mtimeMs)) cache.touch(f.hash, f.size);
    return cache;
  }

  pathOf(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  stats(): CacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }

  /**
   * The cached file for `hash`, filling it with `fill` on a miss. The entry stays
   * pinned (safe from eviction) until `release(hash)`.
   */
  async acquire(hash: string, fill: CacheFill): Promise<string> {
    const h = hash.toLowerCase();
    if (!HASH.test(h)) throw new Error(`not a content hash: "${hash}"`);
    const path = this.pathOf(h);
    const present = await stat(path).catch(() => undefined);
    if (present) {
      this.hits++;
      this.touch(h, present.size).pins++;
      await utimes(path, new Date(), new Date()).catch(() => undefined);
      return path;
    }
    const stale = this.entries.get(h);
    if (stale) {
      // Another process sharing the folder evicted it; forget our stale view.
      this.entries.delete(h);
      this.bytes -= stale.size;
    }
    this.misses++;
    let pending = this.filling.get(h);
    if (!pending) {
      pending = this.fill(h, fill).finally(() => this.filling.delete(h));
      this.filling.set(h, pending);
    }
    const filled = await pending;
    this.touch(h, (await stat(filled)).size).pins++;
    await this.evict();
    return filled;
  }

  /** Unpin an entry taken with {@link acquire}. */
  release(hash: string): void {
    const e = this.entries.get(hash.toLowerCase());
    if (e && e.pins > 0) e.pins--;
  }

  /** Mark an entry used now (adding it to the index if new) and return it. */
  private touch(hash: string, size: number): Entry {
    // A counter, not a clock: uses within one millisecond must still be ordered.
    const now = ++this.clock;
    const e = this.entries.get(hash);
    if (e) {
      e.lastUsed = now;
      return e;
    }
    const added = { size, lastUsed: now, pins: 0 };
    this.entries.set(hash, added);
    this.bytes += size;
    return added;
  }

  private async fill(hash: string, fill: CacheFill): Promise<string> {
    const tmp = join(this.dir, '.partial', `${hash}.${randomUUID()}`);
    try {
      await fill(tmp);
      const actual = await hashFile(tmp, this.algorithm);
      if (actual !== hash) {
        throw new Error(`content hash mismatch: expected ${hash}, received bytes hash to ${actual}`);
      }
      const path = this.pathOf(hash);
      await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true });
      await rename(tmp, path);
      return path;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Drop least-recently-used unpinned entries until the cache fits its cap. */
  private async evict(): Promise<void> {
    if (this.bytes <= this.maxBytes) return;
    const victims = [...this.entries.entries()]
      .filter(([, e]) => e.pins === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [hash, e] of victims) {
      if (this.bytes <= this.maxBytes) break;
      // Pinned since the snapshot was taken (evictions of concurrent acquires interleave).
      if (e.pins > 0 || this.entries.get(hash) !== e) continue;
      this.entries.delete(hash);
      this.bytes -= e.size;
      this.evictions++;
      await unlink(this.pathOf(hash)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }
}

/** Hex digest of a file. */
export function hashFile(path: string, algorithm = 'sha256'): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash(algorithm);
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
