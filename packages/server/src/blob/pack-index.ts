/**
 * Where each packed object lives: (sha256, size) → (pack, offset), in a small
 * SQLite file next to the packs.
 *
 * Why SQLite and not a map built at start-up: a store may hold millions of small
 * objects, and a lookup is a few microseconds either way. The journal is WAL,
 * as for the embedded store's database: in the durable mode a commit then costs
 * one fsync instead of a rollback journal's several (a 15-row commit, about a
 * group of a batch upload, took 1.3 ms here against 4.1 ms), and without fsyncs
 * 17 µs of CPU against 90. WAL shares memory between the processes using the
 * file, so they must all run on one machine (LocalBlobStoreOptions.packSmallObjects).
 * A commit survives a killed process either way; `durable` adds the fsyncs that
 * make it survive a power cut too.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { BlobKey } from './blob-store.js';

/** Another process's transaction on the same index (a second server on the same directory) is waited for this long. */
const BUSY_TIMEOUT_MS = 5000;

export interface PackedObject {
  /** The pack file's name in the packs folder. */
  readonly pack: string;
  /** Where the object's record starts in that pack. */
  readonly offset: number;
  readonly storedAtMs: number;
}

/**
 * Where a pack is in its life (pack-compact.ts). OPEN: a store may still append to it (or one that
 * crashed left it so). SEALED: full or closed, never appended to again: compactable. FILLING: a
 * compaction's new pack, not yet holding any visible object. REPLACED: its live records were copied
 * to a new pack; its file is deleted by the next compaction, then its row.
 */
export const PackState = { OPEN: 0, SEALED: 1, FILLING: 2, REPLACED: 3 } as const;

export interface PackInfo {
  readonly id: number;
  readonly name: string;
  readonly state: number;
}

/** A record still needed in a pack: a visible object's, or a quarantined one's (it may be restored). */
export interface LiveRecord extends BlobKey {
  readonly offset: number;
}

export interface PackedRow extends BlobKey {
  readonly packId: number;
  readonly offset: number;
  readonly storedAtMs: number;
}

export class PackIndex {
  private readonly packNames = new Map<number, string>();
  private readonly lookupStatement: BetterSqlite3.Statement<[string, number]>;
  private readonly insertStatement: BetterSqlite3.Statement<[string, number, number, number, number]>;
  private readonly insertMany: (rows: readonly PackedRow[]) => void;

  private constructor(private readonly db: BetterSqlite3.Database) {
    this.lookupStatement = db.prepare(
      'SELECT pack, offset, stored_at FROM objects WHERE sha256 = ? AND size = ?',
    );
    // A second writer that packed the same object first keeps its copy; this one's bytes stay unused.
    this.insertStatement = db.prepare(
      'INSERT OR IGNORE INTO objects (sha256, size, pack, offset, stored_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertMany = db.transaction((rows: readonly PackedRow[]) => {
      for (const r of rows) this.insertStatement.run(r.sha256, r.size, r.packId, r.offset, r.storedAtMs);
    });
  }

  static open(file: string, durable: boolean): PackIndex {
    const db = new BetterSqlite3(file);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durable ? 'FULL' : 'OFF'}`);
    db.exec(`
      CREATE TABLE IF NOT EXISTS packs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS objects (
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        pack INTEGER NOT NULL REFERENCES packs (id),
        offset INTEGER NOT NULL,
        stored_at INTEGER NOT NULL,
        PRIMARY KEY (sha256, size)
      ) WITHOUT ROWID;
      -- Objects the garbage collector hid: their rows, kept until purged or restored.
      CREATE TABLE IF NOT EXISTS quarantine (
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        pack INTEGER NOT NULL REFERENCES packs (id),
        offset INTEGER NOT NULL,
        stored_at INTEGER NOT NULL,
        quarantined_at INTEGER NOT NULL,
        PRIMARY KEY (sha256, size)
      ) WITHOUT ROWID;
    `);
    // A pack's state (PackState), added after the first stores were written.
    const columns = db.prepare('PRAGMA table_info(packs)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'state'))
      db.exec('ALTER TABLE packs ADD COLUMN state INTEGER NOT NULL DEFAULT 0');
    return new PackIndex(db);
  }

  lookup(key: BlobKey): PackedObject | undefined {
    const row = this.lookupStatement.get(key.sha256, key.size) as
      | { pack: number; offset: number; stored_at: number }
      | undefined;
    if (row === undefined) return undefined;
    return { pack: this.packName(row.pack), offset: row.offset, storedAtMs: row.stored_at };
  }

  /** Make objects visible, all in one transaction (one commit and, when durable, one fsync for many objects). */
  insert(rows: readonly PackedRow[]): void {
    if (rows.length > 0) this.insertMany(rows);
  }

  /** Forget an object; its bytes stay in the pack (nothing compacts packs yet). */
  remove(key: BlobKey): boolean {
    return (
      this.db.prepare('DELETE FROM objects WHERE sha256 = ? AND size = ?').run(key.sha256, key.size).changes >
      0
    );
  }

  /** Every visible packed object (the garbage collector's listing). */
  *listObjects(): Generator<BlobKey & { storedAtMs: number }> {
    const rows = this.db.prepare('SELECT sha256, size, stored_at FROM objects').iterate() as Iterable<{
      sha256: string;
      size: number;
      stored_at: number;
    }>;
    for (const r of rows) yield { sha256: r.sha256, size: r.size, storedAtMs: r.stored_at };
  }

  /**
   * Move an object's row to the quarantine table when it was stored before `storedBeforeMs`, in one
   * transaction: an append of the same object committed meanwhile is either seen (newer: kept) or
   * comes after (it finds no row and appends a fresh copy).
   */
  quarantine(key: BlobKey, storedBeforeMs: number, nowMs: number): boolean {
    return this.db
      .transaction(() => {
        const moved = this.db
          .prepare(
            `INSERT OR REPLACE INTO quarantine (sha256, size, pack, offset, stored_at, quarantined_at)
             SELECT sha256, size, pack, offset, stored_at, ? FROM objects
             WHERE sha256 = ? AND size = ? AND stored_at < ?`,
          )
          .run(nowMs, key.sha256, key.size, storedBeforeMs).changes;
        if (moved === 0) return false;
        this.db.prepare('DELETE FROM objects WHERE sha256 = ? AND size = ?').run(key.sha256, key.size);
        return true;
      })
      .immediate();
  }

  *listQuarantined(): Generator<BlobKey & { quarantinedAtMs: number }> {
    const rows = this.db.prepare('SELECT sha256, size, quarantined_at FROM quarantine').all() as Array<{
      sha256: string;
      size: number;
      quarantined_at: number;
    }>;
    for (const r of rows) yield { sha256: r.sha256, size: r.size, quarantinedAtMs: r.quarantined_at };
  }

  /** Put a quarantined row back (a copy appended meanwhile wins); false when none was quarantined. */
  restore(key: BlobKey): boolean {
    return this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT OR IGNORE INTO objects (sha256, size, pack, offset, stored_at)
             SELECT sha256, size, pack, offset, stored_at FROM quarantine WHERE sha256 = ? AND size = ?`,
          )
          .run(key.sha256, key.size);
        return (
          this.db.prepare('DELETE FROM quarantine WHERE sha256 = ? AND size = ?').run(key.sha256, key.size)
            .changes > 0
        );
      })
      .immediate();
  }

  /** Forget a quarantined row for good; its bytes are dead space in the pack. */
  purge(key: BlobKey): boolean {
    return (
      this.db.prepare('DELETE FROM quarantine WHERE sha256 = ? AND size = ?').run(key.sha256, key.size)
        .changes > 0
    );
  }

  /** Register a pack file's name before the file is made, so no record can point at an unknown pack. */
  addPack(name: string): number {
    const id = Number(this.db.prepare('INSERT INTO packs (name) VALUES (?)').run(name).lastInsertRowid);
    this.packNames.set(id, name);
    return id;
  }

  /**
   * Register a pack found on disk together with its objects, in one transaction; false (and nothing
   * written) when another store or process registered it meanwhile. The transaction is immediate,
   * so the check and the insert both happen under the write lock.
   */
  adoptPack(name: string, rows: readonly Omit<PackedRow, 'packId'>[]): boolean {
    let packId: number | undefined;
    try {
      return this.db
        .transaction(() => {
          if (this.knowsPack(name)) return false;
          packId = this.addPack(name);
          this.insertMany(rows.map((r) => ({ ...r, packId: packId as number })));
          return true;
        })
        .immediate();
    } catch (e) {
      // Rolled back: the id may be handed out again, to another pack.
      if (packId !== undefined) this.packNames.delete(packId);
      throw e;
    }
  }

  setPackState(id: number, state: number): void {
    this.db.prepare('UPDATE packs SET state = ? WHERE id = ?').run(state, id);
  }

  listPacks(): PackInfo[] {
    return this.db.prepare('SELECT id, name, state FROM packs ORDER BY id').all() as PackInfo[];
  }

  /** The records of a pack that something still needs, in file order. */
  liveRecords(packId: number): LiveRecord[] {
    return this.db
      .prepare(
        `SELECT sha256, size, offset FROM objects WHERE pack = ?
         UNION ALL SELECT sha256, size, offset FROM quarantine WHERE pack = ? ORDER BY offset`,
      )
      .all(packId, packId) as LiveRecord[];
  }

  /**
   * Point every row of `from`'s records at their copies in `to`, seal `to` and mark `from` replaced,
   * in one transaction: before it commits the index names the old pack only, after it the new one.
   */
  swapPack(from: number, to: number, moved: ReadonlyMap<string, number>): void {
    const objects = this.db.prepare(
      'UPDATE objects SET pack = ?, offset = ? WHERE pack = ? AND sha256 = ? AND size = ?',
    );
    const hidden = this.db.prepare(
      'UPDATE quarantine SET pack = ?, offset = ? WHERE pack = ? AND sha256 = ? AND size = ?',
    );
    this.db
      .transaction(() => {
        for (const [text, offset] of moved) {
          const [sha256, size] = text.split(':') as [string, string];
          objects.run(to, offset, from, sha256, Number(size));
          hidden.run(to, offset, from, sha256, Number(size));
        }
        // A row still on the old pack here would be one added after the live records were read:
        // none can be (a sealed pack takes no appends), but keep the old pack then rather than lose it.
        const left = this.db
          .prepare(
            'SELECT (SELECT count(*) FROM objects WHERE pack = ?) + (SELECT count(*) FROM quarantine WHERE pack = ?) AS n',
          )
          .get(from, from) as { n: number };
        if (left.n > 0) throw new Error(`blob pack compaction: pack ${from} gained records meanwhile`);
        this.setPackState(to, PackState.SEALED);
        this.setPackState(from, PackState.REPLACED);
      })
      .immediate();
  }

  /** Forget a pack whose file is gone (replaced, or an unfinished compaction's). */
  dropPack(id: number): void {
    this.db.prepare('DELETE FROM packs WHERE id = ?').run(id);
    this.packNames.delete(id);
  }

  knowsPack(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM packs WHERE name = ?').get(name) !== undefined;
  }

  close(): void {
    this.db.close();
  }

  private packName(id: number): string {
    let name = this.packNames.get(id);
    if (name === undefined) {
      // A pack another store (or process) on the same folder made.
      const row = this.db.prepare('SELECT name FROM packs WHERE id = ?').get(id) as
        | { name: string }
        | undefined;
      if (row === undefined) throw new Error(`blob pack index: object points at unknown pack ${id}`);
      name = row.name;
      this.packNames.set(id, name);
    }
    return name;
  }
}
