/**
 * The local transfer database in Redis (ioredis): one hash, field = local
 * path, value = the record as JSON. Several machines of a studio can share it.
 */
import { Redis } from 'ioredis';
import { toTransferRecord, type TransferDb, type TransferRecord } from './transfer-db.js';

export interface RedisTransferDbOptions {
  host: string;
  port: number;
  password: string;
  /** Redis database index (`table_index`). */
  tableIndex: number;
  timeoutMs: number;
  /** Hash key holding the records. */
  key?: string;
}

export const DEFAULT_REDIS_RECORDS_KEY = 'openfarm:transfer_records';

export class RedisTransferDb implements TransferDb {
  private readonly key: string;

  private constructor(
    private readonly redis: Redis,
    key: string,
  ) {
    this.key = key;
  }

  /** Connect, failing within `timeoutMs` with a clear error when Redis is unreachable. */
  static async connect(o: RedisTransferDbOptions): Promise<RedisTransferDb> {
    const redis = new Redis({
      host: o.host,
      port: o.port,
      password: o.password === '' ? undefined : o.password,
      db: o.tableIndex,
      connectTimeout: o.timeoutMs,
      commandTimeout: o.timeoutMs,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    // Connection errors reach the caller through the rejected connect() or
    // command; without a listener ioredis would also print them as unhandled.
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      throw new Error(
        `local transfer database: cannot reach Redis at ${o.host}:${o.port} db ${o.tableIndex}: ${(e as Error).message}`,
      );
    }
    return new RedisTransferDb(redis, o.key ?? DEFAULT_REDIS_RECORDS_KEY);
  }

  async getMany(localPaths: readonly string[]): Promise<Map<string, TransferRecord>> {
    const out = new Map<string, TransferRecord>();
    if (localPaths.length === 0) return out;
    const values = await this.redis.hmget(this.key, ...localPaths);
    values.forEach((v, i) => {
      if (v === null) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        return; // a damaged entry is as good as none: the file is hashed again
      }
      const r = toTransferRecord(parsed);
      if (r !== undefined && r.localPath === localPaths[i]) out.set(r.localPath, r);
    });
    return out;
  }

  async putMany(records: readonly TransferRecord[]): Promise<void> {
    if (records.length === 0) return;
    const fields: string[] = [];
    for (const r of records) fields.push(r.localPath, JSON.stringify(r));
    await this.redis.hset(this.key, ...fields);
  }

  async deleteMany(localPaths: readonly string[]): Promise<void> {
    if (localPaths.length === 0) return;
    await this.redis.hdel(this.key, ...localPaths);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
