/**
 * The node's content cache: input files stored once by content hash and shared
 * by every task that needs them, so a texture used by a hundred frames (or a
 * hundred tasks) crosses the network once.
 *
 * - Layout: `<dir>/<first two hex digits>/<hash>`; fills are written under
 *   `<dir>/.partial/<pid>-<start time>/` and renamed into place only after their
 *   hash checks out, so a reader never sees a half-written file and a crash
 *   leaves only debris there. Opening clears the debris of processes that are
 *   gone, never the fills in flight of a live node sharing the folder.
 * - Size cap with least-recently-used eviction. "Used" is the file's atime,
 *   set on every hit, so the order survives restarts (and the mtime stays the
 *   file's own, see below). Entries pinned by a running stage are never
 *   evicted; an entry larger than the whole cap is kept while pinned and goes
 *   first afterwards.
 * - Immune to renderers that write into their inputs. Staging hard-links
 *   cached files into a lease's folder (stage-inputs.ts), so a write in place
 *   would reach the cached copy and every later task. Cached files are made
 *   read-only (0444), which stops a renderer running as another user than
 *   root from opening them for writing; and a hit is checked before use: the
 *   file's inode, size and mtime must be those recorded when this cache last
 *   knew its bytes to be right (a write in place changes the mtime). When they
 *   differ, or for a file found at open, the bytes are hashed again; wrong
 *   bytes are thrown away and fetched anew. The check is a stat (microseconds);
 *   the re-hash is paid once per file per node start, and after a tampering.
 * - Several worker processes may share one cache folder (`openfarm up` starts N
 *   nodes on one machine): fills race harmlessly (same bytes, atomic rename), and
 *   every hit checks the file is still there rather than trusting the index.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type BigIntStats, createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerError } from '../errors.js';
import { processStartTime } from '../process/start-time.js';

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
  /** inode:size:mtime when the bytes were last known right; undefined: not checked yet. */
  verified?: string;
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
  /** Hits whose bytes were hashed again (first use since open, or the file changed). */
  readonly rehashes: number;
  /** Cached files whose bytes no longer matched their hash (written in place), thrown away. */
  readonly corrupted: number;
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
  private rehashes = 0;
  private corrupted = 0;
  private clock = 0;
  /** Re-hashes in flight, so concurrent hits of one file hash it once. */
  private readonly checking = new Map<string, Promise<boolean>>();

  /** This process's fills in progress. */
  private readonly partialDir: string;

  private constructor(opts: ContentCacheOptions) {
    this.dir = opts.dir;
    this.partialDir = join(opts.dir, '.partial', processKey(process.pid) ?? String(process.pid));
    this.maxBytes = opts.maxBytes;
    this.algorithm = opts.algorithm ?? 'sha256';
  }

  /** Open (or create) a cache folder, indexing what it already holds. */
  static async open(opts: ContentCacheOptions): Promise<ContentCache> {
    const cache = new ContentCache(opts);
    await clearDeadPartials(join(opts.dir, '.partial'));
    await mkdir(cache.partialDir, { recursive: true });
    const found: Array<{ hash: string; size: number; usedMs: number }> = [];
    for (const shard of await readdir(opts.dir)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(join(opts.dir, shard))) {
        if (!HASH.test(name)) continue;
        const s = await stat(join(opts.dir, shard, name));
        found.push({ hash: name, size: s.size, usedMs: s.atimeMs });
      }
    }
    for (const f of found.sort((a, b) => a.usedMs - b.usedMs)) cache.touch(f.hash, f.size);
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
      rehashes: this.rehashes,
      corrupted: this.corrupted,
    };
  }

  /**
   * The cached file for `hash`, filling it with `fill` on a miss. The entry stays
   * pinned (safe from eviction) until `release(hash)`.
   */
  async acquire(hash: string, fill: CacheFill): Promise<string> {
    const h = hash.toLowerCase();
    if (!HASH.test(h)) throw new WorkerError('PARAMETER_INVALID', `not a content hash: "${hash}"`);
    const path = this.pathOf(h);
    const present = await stat(path, { bigint: true }).catch(() => undefined);
    if (present && (await this.stillRight(h, path, present))) {
      this.hits++;
      this.touch(h, Number(present.size)).pins++;
      // Used now: the atime. The mtime is set back to itself, exactly (whole seconds, see settle()).
      await utimes(path, new Date(), wholeSeconds(present)).catch(() => undefined);
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
    const s = await stat(filled, { bigint: true });
    const e = this.touch(h, Number(s.size));
    e.pins++;
    e.verified = signature(s);
    await this.evict();
    return filled;
  }

  /**
   * Whether the cached file still holds the bytes of `hash`: the recorded signature matches,
   * or the bytes hash right again. Wrong bytes are removed (the caller then fetches them anew).
   */
  private async stillRight(hash: string, path: string, s: BigIntStats): Promise<boolean> {
    const known = this.entries.get(hash)?.verified;
    if (known !== undefined && known === signature(s)) return true;
    let check = this.checking.get(hash);
    if (check === undefined) {
      check = (async () => {
        this.rehashes++;
        if ((await hashFile(path, this.algorithm)) === hash) {
          const now = await settle(path);
          const e = this.entries.get(hash) ?? this.touch(hash, Number(now.size));
          e.verified = signature(now);
          return true;
        }
        this.corrupted++;
        await unlink(path).catch(() => undefined);
        const stale = this.entries.get(hash);
        if (stale !== undefined) {
          this.entries.delete(hash);
          this.bytes -= stale.size;
        }
        return false;
      })().finally(() => this.checking.delete(hash));
      this.checking.set(hash, check);
    }
    return check;
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
    await mkdir(this.partialDir, { recursive: true });
    const tmp = join(this.partialDir, `${hash}.${randomUUID()}`);
    try {
      await fill(tmp);
      const actual = await hashFile(tmp, this.algorithm);
      if (actual !== hash) {
        throw new WorkerError(
          'HASH_MISMATCH',
          `content hash mismatch: expected ${hash}, received bytes hash to ${actual}`,
        );
      }
      const path = this.pathOf(hash);
      await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true });
      // Read-only before it is visible: staged hard links share the mode.
      await settle(tmp);
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

/** `<pid>-<start time>` of a live process (Linux), or undefined when it is gone or unknown. */
function processKey(pid: number): string | undefined {
  const start = processStartTime(pid);
  return start === null ? undefined : `${pid}-${start}`;
}

/**
 * Remove what fills of processes now gone left in `.partial/`: folders named after a process
 * that no longer runs with that start time, and loose files of the older flat layout. Off
 * Linux a live process cannot be told from a gone one here, so only loose files are removed.
 */
async function clearDeadPartials(partial: string): Promise<void> {
  const entries = await readdir(partial, { withFileTypes: true }).catch(() => []);
  const onLinux = process.platform === 'linux';
  for (const e of entries) {
    const gone = !e.isDirectory() || (onLinux && processKey(Number(e.name.split('-')[0])) !== e.name);
    if (gone) await rm(join(partial, e.name), { recursive: true, force: true });
  }
}

/** What must not change while a cached file's bytes stay right: a write in place moves the mtime. */
function signature(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
}

/** The mtime in whole seconds: set with utimes, it comes back exactly (a fraction would not). */
function wholeSeconds(s: BigIntStats): number {
  return Number(s.mtimeNs / 1_000_000_000n);
}

/**
 * Make a cached file read-only (again: a writer may have changed the mode) with an mtime of
 * whole seconds, which the use-time bumps on hits keep exactly, so the signature moves only when
 * something else writes the file (its mtime then has nanoseconds). Returns its stat.
 */
async function settle(path: string): Promise<BigIntStats> {
  await chmod(path, 0o444);
  const s = await stat(path, { bigint: true });
  await utimes(path, new Date(), wholeSeconds(s));
  return stat(path, { bigint: true });
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
