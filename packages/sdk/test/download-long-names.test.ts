/**
 * Farm files whose names are long but legal (up to 255 characters, as the farm
 * accepts) download whole: the part file beside them cannot take the name plus
 * `.openfarm-part`, so it takes a shortened one. Real farm, real disk.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { transferPlugin } from '@openfarm/server';
import { RayvisionDownload, RayvisionUpload } from '../src/index.js';
import { startFarm, type TestFarm } from './farm-fixture.js';

let farm: TestFarm;
let work: string;

before(async () => {
  farm = await startFarm({ plugins: [transferPlugin()] });
  work = await mkdtemp(join(tmpdir(), 'openfarm-long-names-'));
  await writeFile(join(work, 'db_config.ini'), `[TRANSFER_LOG_PATH]\ntransfer_log_path = ${work}\n`);
});
after(async () => {
  await farm?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

test('a 250-character and a 250-byte multi-byte file name download whole, with no part file left', async () => {
  const names = [`${'b'.repeat(246)}.exr`, `${'é'.repeat(123)}.exr`];
  const src = join(work, 'src');
  await mkdir(src);
  const bytes = names.map(() => randomBytes(300_000));
  for (const [i, name] of names.entries()) await writeFile(join(src, name), bytes[i] as Buffer);
  const api = farm.client();
  const env = { ...process.env, HOME: work, RAYVISION_LOG: work };
  await new RayvisionUpload(api, { dbConfigPath: join(work, 'db_config.ini'), env }).uploadFiles(
    'output',
    [{ localPath: src, serverPath: '/10001_shot' }],
    { isDb: false },
  );

  const dest = join(work, 'dest');
  const report = await new RayvisionDownload(api, { logDir: work }).download({
    serverPath: '10001_shot',
    localPath: dest,
    printLog: false,
  });
  assert.equal(report.downloadedFiles, 2);
  assert.deepEqual(report.failures, []);
  for (const [i, name] of names.entries()) {
    assert.deepEqual(await readFile(join(dest, '10001_shot', name)), bytes[i]);
  }
  assert.deepEqual((await readdir(join(dest, '10001_shot'))).sort(), [...names].sort());
});
