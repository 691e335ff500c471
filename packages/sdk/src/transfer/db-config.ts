/**
 * `db_config.ini`: the local transfer database settings of the reference SDK
 * (rayvision_sync, §6.4), with the same sections, keys and defaults.
 *
 * ```
 * [TRANSFER_LOG_PATH] transfer_log_path
 * [DATABASE_CONFIG]   on, type = sqlite | redis, db_path
 * [REDIS]             host, port, password, table_index, timeout (ms)
 * [SQLITE]            temporary (true = drop the records once the upload is done)
 * ```
 *
 * Directories: a custom path in the ini wins, then the environment
 * (`RAYVISION_LOG` for logs; `RAYVISION_DB`, then `RAYVISION_LOG` for the
 * database), then `renderfarm_sdk` in the user's home (`%USERPROFILE%` on
 * Windows, `$HOME` elsewhere).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, posix, win32 } from 'node:path';
import { parse } from 'ini';

export type TransferDbType = 'sqlite' | 'redis';

export interface DbConfig {
  /** `[TRANSFER_LOG_PATH] transfer_log_path`; empty = not set. */
  transferLogPath: string;
  /** `[DATABASE_CONFIG] on`: false turns the local database off (every file is hashed every time). */
  on: boolean;
  type: TransferDbType;
  /** `[DATABASE_CONFIG] db_path`; empty = not set. */
  dbPath: string;
  redis: { host: string; port: number; password: string; tableIndex: number; timeoutMs: number };
  sqlite: { temporary: boolean };
}

/** The file written on first use, identical in content to the reference's bundled one. */
export const DEFAULT_DB_CONFIG_INI = `[TRANSFER_LOG_PATH]
transfer_log_path =

[DATABASE_CONFIG]
on = true
; sqlite | redis
type = sqlite
db_path =

[REDIS]
host = 127.0.0.1
port = 6379
password =
; redis database index, must not be empty
table_index = 0
; milliseconds
timeout = 5000

[SQLITE]
; true = delete the records once the upload has finished
temporary = false
`;

/** The reference's `UnsupportedDatabaseError`, and any other unusable value in the file. */
export class DbConfigError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'DbConfigError';
  }
}

type Section = Record<string, unknown>;

function section(doc: Record<string, unknown>, name: string): Section {
  const s = doc[name];
  return s !== null && typeof s === 'object' ? (s as Section) : {};
}

function text(s: Section, key: string, fallback: string): string {
  const v = s[key];
  if (v === undefined || v === null || v === true) return fallback;
  return String(v).trim();
}

function bool(file: string, s: Section, key: string, fallback: boolean): boolean {
  const v = s[key];
  if (v === undefined || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  const t = String(v).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  throw new DbConfigError(file, `${key} must be true or false, got ${JSON.stringify(v)}`);
}

function int(file: string, s: Section, key: string, fallback: number, min: number, max: number): number {
  const t = text(s, key, '');
  if (t === '') return fallback;
  const n = Number(t);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DbConfigError(file, `${key} must be an integer in ${min}..${max}, got ${JSON.stringify(t)}`);
  }
  return n;
}

/** Parse the text of a db_config.ini; missing keys take the reference's defaults. */
export function parseDbConfig(iniText: string, file = 'db_config.ini'): DbConfig {
  const doc = parse(iniText) as Record<string, unknown>;
  const log = section(doc, 'TRANSFER_LOG_PATH');
  const db = section(doc, 'DATABASE_CONFIG');
  const redis = section(doc, 'REDIS');
  const sqlite = section(doc, 'SQLITE');
  const type = text(db, 'type', 'sqlite').toLowerCase();
  if (type !== 'sqlite' && type !== 'redis') {
    throw new DbConfigError(file, `unsupported database type ${JSON.stringify(type)} (sqlite or redis)`);
  }
  return {
    transferLogPath: text(log, 'transfer_log_path', ''),
    on: bool(file, db, 'on', true),
    type,
    dbPath: text(db, 'db_path', ''),
    redis: {
      host: text(redis, 'host', '127.0.0.1') || '127.0.0.1',
      port: int(file, redis, 'port', 6379, 1, 65535),
      password: text(redis, 'password', ''),
      tableIndex: int(file, redis, 'table_index', 0, 0, 1_000_000),
      timeoutMs: int(file, redis, 'timeout', 5000, 1, 3_600_000),
    },
    sqlite: { temporary: bool(file, sqlite, 'temporary', false) },
  };
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The path flavour of `platform`: node:path on the machine itself, and a
 * Windows artist's rules (backslashes, drive letters, UNC) when the platform
 * is injected, as the tests do on Linux.
 */
function pathsOf(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/** `renderfarm_sdk` in the user's home: `%USERPROFILE%` on Windows, `$HOME` elsewhere. */
export function sdkHomeDir(env: Env = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || homedir();
  return pathsOf(platform).join(home, 'renderfarm_sdk');
}

/** Where db_config.ini lives when the caller names none. */
export function defaultDbConfigPath(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  return pathsOf(platform).join(sdkHomeDir(env, platform), 'db_config.ini');
}

/** Transfer log directory: the ini's path → `RAYVISION_LOG` → the SDK home. */
export function resolveTransferLogDir(
  config: DbConfig,
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  return config.transferLogPath || env.RAYVISION_LOG || sdkHomeDir(env, platform);
}

/** Local database directory: the ini's `db_path` → `RAYVISION_DB` → `RAYVISION_LOG` → the SDK home. */
export function resolveDbDir(
  config: DbConfig,
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  return config.dbPath || env.RAYVISION_DB || env.RAYVISION_LOG || sdkHomeDir(env, platform);
}

/**
 * Read db_config.ini from `path` (default: the SDK home). A missing file is
 * created with the default content first, so users find one to edit.
 */
export async function loadDbConfig(
  path?: string,
  env: Env = process.env,
): Promise<{ path: string; config: DbConfig }> {
  const file = path ?? defaultDbConfigPath(env);
  if (!existsSync(file)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, DEFAULT_DB_CONFIG_INI, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e; // another process wrote it first
    });
  }
  return { path: file, config: parseDbConfig(await readFile(file, 'utf8'), file) };
}
