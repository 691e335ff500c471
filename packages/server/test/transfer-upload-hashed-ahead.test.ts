/**
 * The upload engine hashes the next wave only while at most 256 MiB hashed is
 * still to be sent. A large blob that fails or resumes leaves part of its
 * bytes unsent for good: the wait must be woken then too, or the upload never
 * ends. A real farm with a quota that refuses the large file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RayvisionAPI, TransferClient, uploadFiles } from '@openfarm/sdk';
import { setTransferQuota, transferPlugin } from '../src/transfer/index.js';
import { startTestFarm, type TestFarm } from './support/farm.js';

let farm: TestFarm;
let work: string;

before(async () => {
  farm = await startTestFarm({ plugins: [transferPlugin()] });
  work = await mkdtemp(join(tmpdir(), 'openfarm-upload-ahead-'));
});
after(async () => {
  await farm.close();
  await rm(work, { recursive: true, force: true });
});

test('a large file refused by the farm does not stall the files hashed after it', async () => {
  const user = await farm.addUser('quota-ahead');
  await setTransferQuota(farm.server.farm.store.db, user.userId, 1024 * 1024);
  const api = new RayvisionAPI({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: farm.host,
    protocol: 'http',
    platform: '2',
  });
  // More than the 256 MiB hashing may run ahead of sending; sparse, so it costs no disk.
  const big = join(work, 'big.bin');
  const handle = await open(big, 'w');
  await handle.truncate(300 * 1024 * 1024);
  await handle.close();
  const small = join(work, 'small.txt');
  await writeFile(small, 'small file');

  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => {
    // Generous: hashing 300 MiB on a loaded machine takes seconds, a stall forever.
    timer = setTimeout(() => resolve('stalled'), 60_000);
  });
  const upload = uploadFiles(
    new TransferClient(api.connection),
    'input',
    [
      { localPath: big, serverPath: '/big.bin' },
      { localPath: small, serverPath: '/small.txt' },
    ],
    { attempts: 1 },
  );
  const r = await Promise.race([upload, stalled]);
  clearTimeout(timer);
  assert.notEqual(r, 'stalled', 'the upload never finished after the large file was refused');
  if (r === 'stalled') return;
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0]?.localPath, big);
  assert.match(r.failures[0]?.reason ?? '', /quota/);
  assert.equal(r.sentFiles, 1, 'the small file is sent');
});
