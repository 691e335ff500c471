/** The local transfer database in a SQLite file (better-sqlite3), the reference's default. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { toTransferRecord, type TransferDb, type TransferRecord } from './transfer-db.js';

/** SQLite caps bound parameters per statement; look paths up in slices below it. */
const LOOKUP_SLICE = 500;

export class SqliteTransferDb implements TransferDb {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS transfer_records (
      local_path TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      mtime_ms REAL NOT NULL,
      sha256 TEXT NOT NULL,
      storage TEXT NOT NULL,
      server_path TEXT NOT NULL
    )`);
    this.upsert = this.db.prepare(
      `INSERT INTO transfer_records (local_path, size, mtime_ms, sha256, storage, server_path)
       VALUES (@localPath, @size, @mtimeMs, @sha256, @storage, @serverPath)
       ON CONFLICT (local_path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
         sha256 = excluded.sha256, storage = excluded.storage, server_path = excluded.server_path`,
    );
    this.remove = this.db.prepare('DELETE FROM transfer_records WHERE local_path = ?');
  }

  async getMany(localPaths: readonly string[]): Promise<Map<string, TransferRecord>> {
    const out = new Map<string, TransferRecord>();
    for (let i = 0; i < localPaths.length; i += LOOKUP_SLICE) {
      const slice = localPaths.slice(i, i + LOOKUP_SLICE);
      const rows = this.db
        .prepare(
          `SELECT local_path AS localPath, size, mtime_ms AS mtimeMs, sha256, storage, server_path AS serverPath
           FROM transfer_records WHERE local_path IN (${slice.map(() => '?').join(',')})`,
        )
        .all(...slice);
      for (const row of rows) {
        const r = toTransferRecord(row);
        if (r !== undefined) out.set(r.localPath, r);
      }
    }
    return out;
  }

  async putMany(records: readonly TransferRecord[]): Promise<void> {
    this.db.transaction((rs: readonly TransferRecord[]) => {
      for (const r of rs) this.upsert.run(r);
    })(records);
  }

  async deleteMany(localPaths: readonly string[]): Promise<void> {
    this.db.transaction((ps: readonly string[]) => {
      for (const p of ps) this.remove.run(p);
    })(localPaths);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
