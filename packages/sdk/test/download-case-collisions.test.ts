/**
 * Two farm files whose names differ only in case (`A.exr`, `a.exr`) are one
 * file on Windows and on macOS's default file system: downloading both there
 * would write the second over the first. On such a file system the first is
 * downloaded and the second is a failure saying why; on a case-sensitive one
 * both land. Real farm; the case-insensitive destination is the option a
 * Windows or macOS workstation gets by default (this disk keeps both names).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { transferPlugin } from '@openfarm/server';
import { RayvisionDownload, RayvisionUpload, TransferFailedError } from '../src/index.js';
import { startFarm, type TestFarm } from './farm-fixture.js';

let farm: TestFarm;
let work: string;
const bytes = { upper: randomBytes(200_000), lower: randomBytes(200_000), other: randomBytes(1000) };

before(async () => {
  farm = await startFarm({ plugins: [transferPlugin()] });
  work = await mkdtemp(join(tmpdir(), 'openfarm-case-'));
  await writeFile(join(work, 'db_config.ini'), `[TRANSFER_LOG_PATH]\ntransfer_log_path = ${work}\n`);
  const src = join(work, 'src');
  await mkdir(src);
  await writeFile(join(src, 'A.exr'), bytes.upper);
  await writeFile(join(src, 'a.exr'), bytes.lower);
  await writeFile(join(src, 'b.exr'), bytes.other);
  const env = { ...process.env, HOME: work, RAYVISION_LOG: work };
  await new RayvisionUpload(farm.client(), { dbConfigPath: join(work, 'db_config.ini'), env }).uploadFiles(
    'output',
    [{ localPath: src, serverPath: '/10001_case' }],
    { isDb: false },
  );
});
after(async () => {
  await farm?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

test('on a case-insensitive file system the second of two names differing in case is a failure, not an overwrite', async () => {
  const dest = join(work, 'folded');
  const download = new RayvisionDownload(farm.client(), { logDir: work, caseInsensitive: true });
  const err = await download.download({ serverPath: '10001_case', localPath: dest, printLog: false }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof TransferFailedError, String(err));
  assert.deepEqual(
    err.failures.map((f) => [f.serverPath, f.localPath]),
    [['/10001_case/a.exr', join(dest, '10001_case', 'a.exr')]],
  );
  assert.match(err.failures[0]!.reason, /differs only in case from \/10001_case\/A\.exr/);
  // The first one and the rest are whole; nothing was written over.
  assert.deepEqual((await readdir(join(dest, '10001_case'))).sort(), ['A.exr', 'b.exr']);
  assert.deepEqual(await readFile(join(dest, '10001_case', 'A.exr')), bytes.upper);
  assert.deepEqual(await readFile(join(dest, '10001_case', 'b.exr')), bytes.other);
});

test('on a case-sensitive file system both land', async () => {
  const dest = join(work, 'sensitive');
  const report = await new RayvisionDownload(farm.client(), {
    logDir: work,
    caseInsensitive: false,
  }).download({
    serverPath: '10001_case',
    localPath: dest,
    printLog: false,
  });
  assert.equal(report.downloadedFiles, 3);
  assert.deepEqual(await readFile(join(dest, '10001_case', 'A.exr')), bytes.upper);
  assert.deepEqual(await readFile(join(dest, '10001_case', 'a.exr')), bytes.lower);
});
