/**
 * The replay check's fallback while the database is full: keys are kept in
 * memory, and that memory must stay bounded whatever a signed caller sends.
 * The nonce header is the caller's to choose (up to Node's 16 KiB header
 * limit), so a key kept as sent would let one tenant pin ~16 KiB per call.
 * A real SQLite database is made full with `max_page_count` (SQLITE_FULL on
 * the next page it needs), no tmpfs or root needed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openSqliteStore, type Store } from '@openfarm/server';
import { sql } from 'kysely';
import { NonceRegistry } from '../../src/auth/nonces.js';
import { StorageHealth } from '../../src/ops/storage-health.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-nonces-full-'));
  store = openSqliteStore(join(dir, 'openfarm.db'));
  await store.migrate();
  // Full: no page beyond those the database already has.
  const pages = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
  await sql.raw(`pragma max_page_count = ${pages.rows[0]!.page_count}`).execute(store.db);
});

after(async () => {
  await store?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('on a full database, huge nonces are remembered in bounded memory and replays are still caught', async () => {
  const storage = new StorageHealth(store.db, undefined);
  const nonces = new NonceRegistry(store.db, storage);
  const expires = Date.now() + 600_000;
  const nonceOf = (i: number) => `${i}-${'n'.repeat(15_000)}`;

  assert.equal(await nonces.claim('AK', '1700000000', nonceOf(0), 'sig', expires), true);
  assert.equal(storage.state.full, true, 'the insert failed on the full database');
  assert.equal(await nonces.claim('AK', '1700000000', nonceOf(0), 'sig', expires), false, 'replay caught');

  const n = 2000;
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 1; i <= n; i++) {
    assert.equal(await nonces.claim('AK', '1700000000', nonceOf(i), 'sig', expires), true);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(nonces.inMemory, n + 1);
  // Kept as sent, 2000 keys of 15 KB hold 30 MB; a fixed-size key per call holds well under 4 MB.
  assert.ok(grown < 4 * 1024 * 1024, `memory grew by ${(grown / 1048576).toFixed(1)} MiB for ${n} keys`);
  assert.equal(await nonces.claim('AK', '1700000000', nonceOf(n), 'sig', expires), false, 'replay caught');
  // Another access id with the same key is a different request.
  assert.equal(await nonces.claim('AK2', '1700000000', nonceOf(n), 'sig', expires), true);
});

test('on a full database, the same request sent twice at once passes only once', async () => {
  const nonces = new NonceRegistry(store.db, new StorageHealth(store.db, undefined));
  const expires = Date.now() + 600_000;
  // A nonce too long to fit in a page's free space, so the insert really fails.
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => nonces.claim('AK3', '1700000000', 'n'.repeat(15_000), 'sig', expires)),
  );
  assert.equal(answers.filter((a) => a).length, 1, `answers: ${answers.join(', ')}`);
});
