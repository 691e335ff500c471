/** submit finds task.json uploaded to `/<taskId>/cfg/` of the config storage, as the reference's upload puts it. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { configStoragePlugin, LocalBlobStore } from '@openfarm/server';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';
import { blenderTaskJson } from './support/task-json.js';

let farm: TestFarm;
let alice: Client;
let aliceId: number;

before(async () => {
  farm = await startTestFarm({ plugins: [configStoragePlugin()] });
  const user = await farm.addUser('alice');
  aliceId = user.userId;
  alice = new Client(farm, user);
});
after(() => farm.close());

test('a task.json in the config storage is submitted without taskJsonFile', async () => {
  const id = (await alice.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
  const bytes = Buffer.from(JSON.stringify(blenderTaskJson(id)), 'utf8');
  const key = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  // What the transfer area holds after the SDK uploaded the file: the bytes and the manifest row.
  const blobs = await LocalBlobStore.open(join(farm.dataDir, 'blobs'));
  await blobs.put(key, Readable.from([bytes]));
  await farm.server.farm.store.db
    .insertInto('transfer_manifest')
    .values({
      user_id: aliceId,
      storage: 'config',
      path: `/${id}/cfg/task.json`,
      ...key,
      mtime: 0,
      updated_at: 0,
    })
    .execute();

  await alice.api('task.submitTask', { taskId: id });
  const info = (await alice.api('query.taskInfo', { taskIds: [id] })).items[0]!;
  assert.equal(info.totalFrames, 3);
  assert.equal(info.sceneName, 'cube.blend');
});

test('without the file anywhere, submit still names task.json', async () => {
  const id = (await alice.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
  const { envelope } = await alice.callEndpoint('task.submitTask', { taskId: id });
  assert.equal(envelope.code, 601);
  assert.match(envelope.message, /task\.json/);
});
