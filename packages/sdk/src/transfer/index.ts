export * from './db-config.js';
export { type FileDigest, hashFile } from './hash-file.js';
export { openTransferDb } from './local-db/open-transfer-db.js';
export {
  DEFAULT_REDIS_RECORDS_KEY,
  RedisTransferDb,
  type RedisTransferDbOptions,
} from './local-db/redis-db.js';
export { SqliteTransferDb } from './local-db/sqlite-db.js';
export type { TransferDb, TransferRecord } from './local-db/transfer-db.js';
export { KB, TokenBucket, throttle } from './token-bucket.js';
