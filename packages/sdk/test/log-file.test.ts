import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LogPathContext, logFilePath, RayvisionUpload, RotatingFileLogger } from '../src/index.js';
import { startFarm, type TestFarm } from './farm-fixture.js';

describe('log files (rayvision_log)', () => {
  let farm: TestFarm;
  let dir: string;
  before(async () => {
    farm = await startFarm();
    dir = await mkdtemp(join(tmpdir(), 'openfarm-logs-'));
  });
  after(async () => {
    await farm.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('RayvisionAPI writes <logFolder>/rayvision_api/<logName>, and never the access key', async () => {
    const api = farm.client({ logFolder: dir, logName: 'api.log', logLevel: 'debug' });
    await api.login();
    // Whatever a message holds, the key is masked (an error echoing a request, a careless caller).
    api.logger.warn(`request failed; accessKey=${farm.user.accessKey} body={"k":"${farm.user.accessKey}"}`);
    const text = await readFile(join(dir, 'rayvision_api', 'api.log'), 'utf8');
    assert.match(text, / DEBUG logged in as artist/);
    assert.match(text, / WARNING request failed; accessKey=\*\*\* body=\{"k":"\*\*\*"\}/);
    assert.ok(!text.includes(farm.user.accessKey), 'the access key is not in the log');
  });

  test('logLevel drops what is below it', async () => {
    const api = farm.client({ logFolder: dir, logName: 'info.log', logLevel: 'INFO' });
    await api.login();
    api.logger.info('kept');
    const text = await readFile(join(dir, 'rayvision_api', 'info.log'), 'utf8');
    assert.doesNotMatch(text, /DEBUG/);
    assert.match(text, / INFO kept/);
    assert.throws(() => farm.client({ logFolder: dir, logLevel: 'LOUD' }), /logLevel must be/);
  });

  test('RayvisionUpload logs to rayvision_sync under the same folder', async () => {
    const ini = join(dir, 'db.ini');
    await writeFile(ini, `[DATABASE_CONFIG]\non = false\n[TRANSFER_LOG_PATH]\ntransfer_log_path = ${dir}\n`);
    const upload = new RayvisionUpload(farm.client(), {
      dbConfigPath: ini,
      logFolder: dir,
      logName: 'sync.log',
    });
    await upload.uploadConfig(12345, [join(dir, 'no-such-task.json')]).catch(() => undefined);
    const text = await readFile(join(dir, 'rayvision_sync', 'sync.log'), 'utf8');
    assert.match(text, /WARNING config file .*no-such-task\.json does not exist; skipped/);
  });

  test('the transfer log file masks the access key too', async () => {
    const upload = new RayvisionUpload(farm.client(), { logFolder: dir, logName: 'masked.log' });
    // A message that holds the key: here a file name, as careless as any caller's.
    await upload.uploadConfig(12345, [join(dir, `${farm.user.accessKey}.json`)]).catch(() => undefined);
    const text = await readFile(join(dir, 'rayvision_sync', 'masked.log'), 'utf8');
    assert.match(text, /WARNING config file .*\*\*\*\.json does not exist; skipped/);
    assert.ok(!text.includes(farm.user.accessKey), 'the access key is not in the log');
  });

  test('files rotate by size, keeping the configured number of backups', async () => {
    const file = join(dir, 'rot', 'r.log');
    const log = new RotatingFileLogger(file, 'DEBUG', { maxBytes: 300, backups: 2 });
    for (let i = 0; i < 40; i++) log.info(`line ${i} ${'x'.repeat(20)}`);
    const names = (await readdir(join(dir, 'rot'))).sort();
    assert.deepEqual(names, ['r.log', 'r.log.1', 'r.log.2']);
    for (const n of names) assert.ok((await stat(join(dir, 'rot', n))).size <= 300, n);
    assert.match(await readFile(file, 'utf8'), /line 39 /);
  });
});

describe('log file paths (reference folder rules)', () => {
  const ctx = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): LogPathContext => ({
    platform,
    env,
    home,
    user: 'ana',
    host: 'ws01',
  });

  test('Windows (path.win32): drive letters, %LOCALAPPDATA%, %USERPROFILE%, UNC roots', () => {
    const win = (env: NodeJS.ProcessEnv) => ctx('win32', env, 'C:\\Users\\ana');
    assert.equal(
      logFilePath('rayvision_api', { logFolder: 'D:\\studio\\logs' }, win({})),
      'D:\\studio\\logs\\rayvision_api\\ws01.log',
    );
    assert.equal(
      logFilePath('rayvision_api', { logFolder: 'D:/studio/logs', logName: 'a.log' }, win({})),
      'D:\\studio\\logs\\rayvision_api\\a.log',
    );
    assert.equal(
      logFilePath('rayvision_api', {}, win({ LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' })),
      'C:\\Users\\ana\\AppData\\Local\\RayVision\\rayvision_api\\Logs\\ana\\ws01.log',
    );
    assert.equal(
      logFilePath('rayvision_sync', {}, win({ USERPROFILE: 'E:\\profiles\\ana' })),
      'E:\\profiles\\ana\\AppData\\Local\\RayVision\\rayvision_sync\\Logs\\ana\\ws01.log',
    );
    assert.equal(
      logFilePath('rayvision_api', {}, win({ RAYVISION_LOG_ROOT: '\\\\nas\\logs' })),
      '\\\\nas\\logs\\ana\\ws01.log',
    );
  });

  test('macOS and Linux', () => {
    assert.equal(
      logFilePath('rayvision_api', {}, ctx('darwin', {}, '/Users/ana')),
      '/Users/ana/Library/Logs/rayvision_api/ana/ws01.log',
    );
    assert.equal(
      logFilePath('rayvision_api', {}, ctx('linux', {}, '/home/ana')),
      '/home/ana/.cache/rayvision_api/log/ana/ws01.log',
    );
    assert.equal(
      logFilePath('rayvision_api', {}, ctx('linux', { XDG_CACHE_HOME: '/var/cache/ana' }, '/home/ana')),
      '/var/cache/ana/rayvision_api/log/ana/ws01.log',
    );
    assert.equal(
      logFilePath(
        'rayvision_api',
        { logFolder: '/srv/logs', logName: 'x.log' },
        ctx('linux', {}, '/home/ana'),
      ),
      '/srv/logs/rayvision_api/x.log',
    );
  });
});
