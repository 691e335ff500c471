/**
 * Kysely's SQLite driver prepares every query it runs, and preparing costs
 * more than running the short statements a scheduler issues: in the dispatch
 * benchmark `prepare` was about a third of the process's CPU. Statements are
 * kept here by their SQL text (the values are bound at each run), the least
 * recently used dropped past a bound, since `in (?, ?, …)` lists and
 * multi-row inserts make many texts.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const DEFAULT_MAX_STATEMENTS = 500;

/** `conn` as Kysely's SqliteDialect wants it, with prepared statements reused. */
export function withStatementCache(
  conn: BetterSqlite3.Database,
  maxStatements = DEFAULT_MAX_STATEMENTS,
): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string): SqliteStatement {
      // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR); Kysely's
      // own ROLLBACK would then fail with "no transaction is active" and hide the error that mattered.
      if (sql === 'rollback' && !conn.inTransaction) return conn.prepare('select 0 as nothing_to_roll_back');
      const cached = cache.get(sql);
      if (cached !== undefined) {
        // A statement still being iterated (a streamed query) cannot run again: use a fresh one.
        if (cached.busy) return conn.prepare(sql);
        // Map order is insertion order: moving the hit to the end keeps the eviction LRU.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = conn.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > maxStatements) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
    close(): void {
      cache.clear();
      conn.close();
    },
  };
}
