import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { RedisTransferDb, SqliteTransferDb } from '../src/transfer/index.js';
import { transferDbContract } from './localdb.contract.js';
import { redisServerAvailable, startRedisServer } from './localdb-redis-server.js';

transferDbContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-localdb-'));
  return {
    open: async () => new SqliteTransferDb(join(dir, 'db', 'job.db')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

if (redisServerAvailable()) {
  transferDbContract('redis', async () => {
    const server = await startRedisServer();
    return {
      open: () =>
        RedisTransferDb.connect({
          host: '127.0.0.1',
          port: server.port,
          password: '',
          tableIndex: 3,
          timeoutMs: 2000,
        }),
      cleanup: () => server.stop(),
    };
  });
}

it('an unreachable Redis fails fast with a message naming it', async () => {
  const started = Date.now();
  await assert.rejects(
    RedisTransferDb.connect({ host: '127.0.0.1', port: 1, password: '', tableIndex: 0, timeoutMs: 1000 }),
    /cannot reach Redis at 127\.0\.0\.1:1/,
  );
  assert.ok(Date.now() - started < 5000);
});
