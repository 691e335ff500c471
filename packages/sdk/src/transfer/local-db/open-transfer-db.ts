/** Open the local transfer database a db_config.ini describes. */
import { join } from 'node:path';
import { type DbConfig, type Env, resolveDbDir } from '../db-config.js';
import { RedisTransferDb } from './redis-db.js';
import { SqliteTransferDb } from './sqlite-db.js';
import type { TransferDb } from './transfer-db.js';

/**
 * The database for one job, or undefined when `on = false`. As in the
 * reference, SQLite keeps one file per job folder (`<db dir>/db/<job>.db`);
 * Redis keeps every job in one hash.
 */
export async function openTransferDb(
  config: DbConfig,
  jobName: string,
  env: Env = process.env,
): Promise<TransferDb | undefined> {
  if (!config.on) return undefined;
  if (config.type === 'redis') return RedisTransferDb.connect(config.redis);
  if (jobName === '' || /[\\/]|^\.\.?$/.test(jobName)) {
    throw new Error(`local transfer database: bad job name ${JSON.stringify(jobName)}`);
  }
  return new SqliteTransferDb(join(resolveDbDir(config, env), 'db', `${jobName}.db`));
}
