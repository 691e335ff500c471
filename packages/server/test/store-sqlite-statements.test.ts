/** The SQLite statement cache: reuse by SQL text, a bounded LRU, streamed queries, schema changes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from '../src/store/sqlite-statement-cache.js';

test('the same SQL text gets the same prepared statement; the least recently used goes past the bound', () => {
  const db = withStatementCache(new BetterSqlite3(':memory:'), 2);
  const a = db.prepare('select 1');
  assert.equal(db.prepare('select 1'), a);
  const b = db.prepare('select 2');
  db.prepare('select 1'); // a is now the most recently used
  db.prepare('select 3'); // evicts b, not a
  assert.equal(db.prepare('select 1'), a);
  assert.notEqual(db.prepare('select 2'), b);
  db.close();
});

test('a statement still being iterated is not handed out again', () => {
  const db = withStatementCache(new BetterSqlite3(':memory:'));
  const text = 'select value from json_each(?)';
  const first = db.prepare(text);
  const rows = first.iterate(['[1,2,3]']);
  assert.deepEqual(rows.next().value, { value: 1 });
  const second = db.prepare(text);
  assert.notEqual(second, first);
  assert.deepEqual(second.all(['[7]']), [{ value: 7 }]);
  assert.deepEqual([...rows], [{ value: 2 }, { value: 3 }]);
  assert.equal(db.prepare(text), first);
  db.close();
});

test('through Kysely: cached queries see schema changes made after they were first run', async () => {
  const kysely = new Kysely<{ t: { id: number; note?: string } }>({
    dialect: new SqliteDialect({ database: async () => withStatementCache(new BetterSqlite3(':memory:')) }),
  });
  await sql`create table t (id integer primary key)`.execute(kysely);
  await kysely.insertInto('t').values({ id: 1 }).execute();
  assert.deepEqual(await kysely.selectFrom('t').selectAll().execute(), [{ id: 1 }]);
  await sql`alter table t add column note text default 'n'`.execute(kysely);
  assert.deepEqual(await kysely.selectFrom('t').selectAll().execute(), [{ id: 1, note: 'n' }]);
  await kysely.insertInto('t').values({ id: 2 }).execute();
  assert.equal((await kysely.selectFrom('t').selectAll().execute()).length, 2);
  await kysely.destroy();
});
