/**
 * Whether the farm can write. A write that fails because the disk is full
 * marks the farm degraded (`/healthz` says so, with the reason and since
 * when); the mark clears by itself: on the next write that succeeds (every
 * signed call writes its nonce) or when `/healthz` probes a write and it goes
 * through, so a farm recovers when space returns without a restart.
 */
import { randomBytes } from 'node:crypto';
import { rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';

const PROBE_KEY = 'storage_probe';
const PROBE_FILE = '.storage-probe';

export interface StorageState {
  readonly full: boolean;
  /** Epoch ms of the first failed write of this episode. */
  readonly since?: number;
  /** What failed, as the failing layer said it. */
  readonly reason?: string;
}

export class StorageHealth {
  private fullSince: number | undefined;
  private reason: string | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dataDir: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): StorageState {
    return this.fullSince === undefined
      ? { full: false }
      : { full: true, since: this.fullSince, ...(this.reason !== undefined ? { reason: this.reason } : {}) };
  }

  reportFull(err: unknown): void {
    this.fullSince ??= this.now();
    this.reason = err instanceof Error ? err.message : String(err);
  }

  /** A write went through: the disk has room again. */
  reportWritable(): void {
    this.fullSince = undefined;
    this.reason = undefined;
  }

  /**
   * Try one small write to the database and, with a data directory, one to its
   * disk; clear the mark when both go through. Only called while degraded, so
   * a healthy farm's health check stays a plain read.
   */
  async probe(): Promise<StorageState> {
    if (this.fullSince === undefined) return this.state;
    try {
      await this.db
        .insertInto('server_settings')
        .values({ key: PROBE_KEY, value: String(this.now()) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(this.now()) }))
        .execute();
      if (this.dataDir !== undefined) {
        // A database commit may fit in pages the WAL already holds; blobs need fresh blocks.
        const file = join(this.dataDir, PROBE_FILE);
        await writeFile(file, randomBytes(64 * 1024), { flush: true });
        await rm(file, { force: true });
      }
      this.reportWritable();
    } catch (err) {
      this.reportFull(err);
    }
    return this.state;
  }

  /** Bytes free to this user on the data directory's file system, when there is one. */
  async freeBytes(): Promise<number | undefined> {
    if (this.dataDir === undefined) return undefined;
    try {
      const s = await statfs(this.dataDir);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }
}
