/** The embedded store: file permissions, pragmas, migrations from either build, ids, seeds. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { allocateIds, openDataDirStore, openSqliteStore, seedStore, type Store } from '@openfarm/server';
import { FolderMigrationProvider } from '../src/store/migration-provider.js';

describe('SQLite store', () => {
  let dir: string;
  let store: Store;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openfarm-store-'));
    store = await openDataDirStore(join(dir, 'data'));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the data directory is owner-only and the database file 0600', async () => {
    assert.equal((await stat(join(dir, 'data'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, 'data', 'openfarm.db'))).mode & 0o777, 0o600);
  });

  test('WAL, foreign keys and a busy timeout are set on the connection', async () => {
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
    assert.equal(mode.rows[0]!.journal_mode, 'wal');
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
    assert.equal(fk.rows[0]!.foreign_keys, 1);
    const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
    assert.ok(busy.rows[0]!.timeout >= 1000);
    await assert.rejects(
      store.db
        .insertInto('frames')
        .values({
          id: 1,
          task_id: 424242,
          user_id: 1,
          frame_index: '1',
          frame_numbers: '[1]',
          chunk_index: 0,
          frame_type: 5,
          state: 1,
          created_at: 0,
          updated_at: 0,
        })
        .execute(),
      /FOREIGN KEY/,
    );
  });

  test('every migration ran and is recorded once', async () => {
    const done = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      store.db,
    );
    const names = done.rows.map((r) => r.name);
    assert.equal(names[0], '0001_core');
    assert.deepEqual(names, [...new Set(names)].sort());
    await store.migrate();
    const again = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(store.db);
    assert.equal(Number(again.rows[0]!.n), names.length);
  });

  test('allocateIds hands out disjoint consecutive blocks, also to concurrent transactions', async () => {
    const blocks = await Promise.all(
      Array.from({ length: 8 }, () =>
        store.db.transaction().execute((trx) => allocateIds(trx, 'test_seq', 5)),
      ),
    );
    const ids = blocks.flatMap((first) => [0, 1, 2, 3, 4].map((i) => first + i));
    assert.equal(new Set(ids).size, 40);
    assert.equal(await allocateIds(store.db, 'tasks_probe'), 1);
    await assert.rejects(allocateIds(store.db, 'test_seq', 0), /cannot allocate 0 ids/);
  });

  test('seeding fills empty tables only, so admin edits survive restarts', async () => {
    const before = await store.db.selectFrom('hardware_configs').selectAll().execute();
    assert.ok(before.length > 0);
    await store.db
      .updateTable('hardware_configs')
      .set({ status: 0 })
      .where('id', '=', before[0]!.id)
      .execute();
    await seedStore(store.db);
    const afterSeed = await store.db.selectFrom('hardware_configs').selectAll().execute();
    assert.equal(afterSeed.length, before.length);
    assert.equal(afterSeed.find((h) => h.id === before[0]!.id)!.status, 0);
  });

  test('a second connection (the CLI while the server runs) sees the same data', async () => {
    const other = openSqliteStore(join(dir, 'data', 'openfarm.db'));
    try {
      const n = await other.db.selectFrom('platforms').select('platform').execute();
      assert.ok(n.length > 0);
    } finally {
      await other.close();
    }
  });
});

describe('folder migration provider', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openfarm-migrations-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('loads built .js migrations in name order and skips declaration and map files', async () => {
    const mod = 'export async function up() {}\nexport async function down() {}\n';
    await writeFile(join(dir, '0200_b.js'), mod);
    await writeFile(join(dir, '0001_a.js'), mod);
    await writeFile(join(dir, '0001_a.d.ts'), 'export declare function up(): Promise<void>;\n');
    await writeFile(join(dir, '0001_a.js.map'), '{}');
    const migrations = await new FolderMigrationProvider(dir).getMigrations();
    assert.deepEqual(Object.keys(migrations), ['0001_a', '0200_b']);
  });

  test('refuses two files with the same migration name and modules without up()', async () => {
    await writeFile(join(dir, '0200_b.mjs'), 'export async function up() {}\n');
    await assert.rejects(
      new FolderMigrationProvider(dir).getMigrations(),
      /two migration files are named 0200_b/,
    );
    await rm(join(dir, '0200_b.mjs'));
    await writeFile(join(dir, '0300_c.js'), 'export const nothing = 1;\n');
    await assert.rejects(new FolderMigrationProvider(dir).getMigrations(), /0300_c\.js exports no up\(\)/);
  });
});
