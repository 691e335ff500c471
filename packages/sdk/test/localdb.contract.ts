/** The contract both local transfer database backends (SQLite, Redis) pass. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TransferDb, TransferRecord } from '../src/transfer/index.js';

export interface TransferDbFixture {
  /** A fresh, empty database. */
  open(): Promise<TransferDb>;
  cleanup(): Promise<void>;
}

function rec(localPath: string, over: Partial<TransferRecord> = {}): TransferRecord {
  return {
    localPath,
    size: 1234,
    mtimeMs: 1_700_000_000_123.456,
    sha256: 'ab'.repeat(32),
    storage: 'input',
    serverPath: `/D${localPath}`,
    ...over,
  };
}

export function transferDbContract(name: string, setup: () => Promise<TransferDbFixture>): void {
  describe(`local transfer database contract: ${name}`, () => {
    let fx: TransferDbFixture;
    let db: TransferDb;
    before(async () => {
      fx = await setup();
      db = await fx.open();
    });
    after(async () => {
      await db.close();
      await fx.cleanup();
    });

    it('returns nothing for unknown paths', async () => {
      assert.equal((await db.getMany(['/nope/a', '/nope/b'])).size, 0);
      assert.equal((await db.getMany([])).size, 0);
    });

    it('stores and returns records exactly, fractional mtime included', async () => {
      const a = rec('/p/a.exr');
      const b = rec('/p/dir with space/b.ma', { size: 0, storage: 'config', sha256: 'cd'.repeat(32) });
      await db.putMany([a, b]);
      const got = await db.getMany([a.localPath, '/p/missing', b.localPath]);
      assert.equal(got.size, 2);
      assert.deepEqual(got.get(a.localPath), a);
      assert.deepEqual(got.get(b.localPath), b);
    });

    it('replaces the record of a path', async () => {
      const a = rec('/p/replace.tx');
      await db.putMany([a]);
      const a2 = { ...a, size: 99, mtimeMs: a.mtimeMs + 1, sha256: 'ef'.repeat(32), serverPath: '/other' };
      await db.putMany([a2]);
      assert.deepEqual((await db.getMany([a.localPath])).get(a.localPath), a2);
    });

    it('deletes records', async () => {
      const xs = [rec('/d/1'), rec('/d/2'), rec('/d/3')];
      await db.putMany(xs);
      await db.deleteMany(['/d/1', '/d/3', '/d/never']);
      assert.deepEqual([...(await db.getMany(['/d/1', '/d/2', '/d/3'])).keys()], ['/d/2']);
    });

    it('handles thousands of records in one batch', async () => {
      const many = Array.from({ length: 3000 }, (_, i) => rec(`/bulk/${i}.png`, { size: i }));
      await db.putMany(many);
      const got = await db.getMany(many.map((r) => r.localPath));
      assert.equal(got.size, 3000);
      assert.equal(got.get('/bulk/2999.png')?.size, 2999);
    });

    it('keeps records across reopening', async () => {
      const a = rec('/persist/a');
      await db.putMany([a]);
      await db.close();
      db = await fx.open();
      assert.deepEqual((await db.getMany([a.localPath])).get(a.localPath), a);
    });
  });
}
