import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, win32 } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DbConfigError,
  DEFAULT_DB_CONFIG_INI,
  loadDbConfig,
  openTransferDb,
  parseDbConfig,
  resolveDbDir,
  resolveTransferLogDir,
  SqliteTransferDb,
  sdkHomeDir,
} from '../src/transfer/index.js';

describe('db_config.ini', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openfarm-dbconfig-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('the default file parses to the reference defaults', () => {
    assert.deepEqual(parseDbConfig(DEFAULT_DB_CONFIG_INI), {
      transferLogPath: '',
      on: true,
      type: 'sqlite',
      dbPath: '',
      redis: { host: '127.0.0.1', port: 6379, password: '', tableIndex: 0, timeoutMs: 5000 },
      sqlite: { temporary: false },
    });
  });

  it('reads every section and key, inline comments included', () => {
    const c = parseDbConfig(`[TRANSFER_LOG_PATH]
transfer_log_path = /var/log/farm
[DATABASE_CONFIG]
on = false
type = redis          ; sqlite | redis
db_path = /srv/db
[REDIS]
host = redis.lan
port = 6390
password = s3cret
table_index = 2        ; redis db index
timeout = 250
[SQLITE]
temporary = true
`);
    assert.deepEqual(c, {
      transferLogPath: '/var/log/farm',
      on: false,
      type: 'redis',
      dbPath: '/srv/db',
      redis: { host: 'redis.lan', port: 6390, password: 's3cret', tableIndex: 2, timeoutMs: 250 },
      sqlite: { temporary: true },
    });
  });

  it('refuses an unsupported database type and bad numbers, naming the file', () => {
    assert.throws(
      () => parseDbConfig('[DATABASE_CONFIG]\ntype = mysql\n', 'x.ini'),
      (e: unknown) => {
        assert.ok(e instanceof DbConfigError);
        assert.match(e.message, /x\.ini: unsupported database type "mysql"/);
        return true;
      },
    );
    assert.throws(() => parseDbConfig('[REDIS]\nport = 99999\n'), /port must be an integer in 1\.\.65535/);
    assert.throws(() => parseDbConfig('[SQLITE]\ntemporary = maybe\n'), /temporary must be true or false/);
  });

  it('writes the default file on first use and reads it back', async () => {
    const file = join(dir, 'first', 'db_config.ini');
    const { config, path } = await loadDbConfig(file);
    assert.equal(path, file);
    assert.equal(await readFile(file, 'utf8'), DEFAULT_DB_CONFIG_INI);
    assert.equal(config.type, 'sqlite');
    await writeFile(file, '[SQLITE]\ntemporary = true\n');
    assert.equal((await loadDbConfig(file)).config.sqlite.temporary, true);
  });

  it('without a path, the file goes to renderfarm_sdk in the home directory', async () => {
    const env = { HOME: join(dir, 'home'), USERPROFILE: join(dir, 'profile') };
    const { path } = await loadDbConfig(undefined, env);
    assert.equal(path, join(dir, 'home', 'renderfarm_sdk', 'db_config.ini'));
    // On Windows the profile folder is joined with Windows separators (db-config-win32.test.ts).
    assert.equal(sdkHomeDir(env, 'win32'), win32.join(join(dir, 'profile'), 'renderfarm_sdk'));
  });

  it('directories: ini path, then the environment, then the home directory', () => {
    const base = parseDbConfig(DEFAULT_DB_CONFIG_INI);
    const custom = { ...base, transferLogPath: '/logs', dbPath: '/dbs' };
    const env = { HOME: '/home/u', RAYVISION_LOG: '/env/log', RAYVISION_DB: '/env/db' };
    assert.equal(resolveTransferLogDir(custom, env), '/logs');
    assert.equal(resolveDbDir(custom, env), '/dbs');
    assert.equal(resolveTransferLogDir(base, env), '/env/log');
    assert.equal(resolveDbDir(base, env), '/env/db');
    assert.equal(resolveDbDir(base, { HOME: '/home/u', RAYVISION_LOG: '/env/log' }), '/env/log');
    assert.equal(resolveTransferLogDir(base, { HOME: '/home/u' }), join('/home/u', 'renderfarm_sdk'));
    assert.equal(resolveDbDir(base, { HOME: '/home/u' }), join('/home/u', 'renderfarm_sdk'));
  });

  it('opens one SQLite file per job folder under <db dir>/db, or nothing when off', async () => {
    const config = { ...parseDbConfig(DEFAULT_DB_CONFIG_INI), dbPath: join(dir, 'dbs') };
    const db = await openTransferDb(config, '20260101120000_4242');
    assert.ok(db instanceof SqliteTransferDb);
    assert.equal(db.file, join(dir, 'dbs', 'db', '20260101120000_4242.db'));
    await db.close();
    assert.equal(await openTransferDb({ ...config, on: false }, 'job'), undefined);
    await assert.rejects(openTransferDb(config, '..'), /bad job name/);
  });
});
