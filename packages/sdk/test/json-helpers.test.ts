import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { appendToTask, appendToUpload, cuttingUpload, updateTaskInfo } from '@openfarm/sdk';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-sdk-json-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

async function newTaskJson(name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    JSON.stringify({
      task_info: { task_id: '', frames_per_task: '1', pre_frames: '000' },
      software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
    }),
  );
  return path;
}

function codeOf(error: unknown): number {
  assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
  return error.code;
}

describe('updateTaskInfo', () => {
  test('changes existing keys and stores numbers as strings', async () => {
    const path = await newTaskJson('update.json');
    const info = await updateTaskInfo({ frames_per_task: 3, pre_frames: '100' }, path);
    assert.deepEqual(info, { task_id: '', frames_per_task: '3', pre_frames: '100' });
    const doc = await readJson(path);
    assert.deepEqual(doc.task_info, info);
    assert.deepEqual(doc.software_config, { cg_name: 'Blender', cg_version: '3.4', plugins: {} });
  });

  test('an unknown key is error 1000002 and nothing is written', async () => {
    const path = await newTaskJson('unknown.json');
    const before = await readFile(path, 'utf8');
    await assert.rejects(updateTaskInfo({ frames_per_task: '2', frame_per_task: '2' }, path), (e) => {
      assert.equal(codeOf(e), 1000002);
      assert.match((e as Error).message, /"frame_per_task"/);
      return true;
    });
    assert.equal(await readFile(path, 'utf8'), before);
  });

  test('a missing task.json is error 1000004', async () => {
    await assert.rejects(updateTaskInfo({ a: '1' }, join(dir, 'none.json')), (e) => codeOf(e) === 1000004);
  });
});

describe('appendToTask', () => {
  test('adds and replaces keys under additional_info', async () => {
    const path = await newTaskJson('append.json');
    await appendToTask({ artist: 'ana', shot: 'sh010' }, path);
    const extra = await appendToTask({ shot: 'sh020' }, path);
    assert.deepEqual(extra, { artist: 'ana', shot: 'sh020' });
    assert.deepEqual((await readJson(path)).additional_info, { artist: 'ana', shot: 'sh020' });
  });

  test('cover: false refuses existing keys but writes new ones', async () => {
    const path = await newTaskJson('nocover.json');
    await appendToTask({ artist: 'ana' }, path, { cover: false });
    assert.deepEqual((await readJson(path)).additional_info, { artist: 'ana' });
    await assert.rejects(
      appendToTask({ artist: 'bo' }, path, { cover: false }),
      (e) => codeOf(e) === 1000002,
    );
    assert.deepEqual((await readJson(path)).additional_info, { artist: 'ana' });
  });
});

describe('appendToUpload', () => {
  let assets: string;
  before(async () => {
    assets = join(dir, 'assets');
    await mkdir(join(assets, 'tex', 'sub'), { recursive: true });
    await writeFile(join(assets, 'scene.blend'), 'scene');
    await writeFile(join(assets, 'tex', 'a.png'), 'a');
    await writeFile(join(assets, 'tex', 'sub', 'b.png'), 'b');
    // A link back to the folder must not make the walk loop.
    await symlink(join(assets, 'tex'), join(assets, 'tex', 'sub', 'loop'));
  });

  test('adds files and whole folders, with server paths, once each', async () => {
    const upload = join(dir, 'upload.json');
    await writeFile(upload, JSON.stringify({ asset: [], scene: [{ local: 'x', server: '/x', hash: 'h' }] }));
    const first = await appendToUpload([join(assets, 'scene.blend'), join(assets, 'tex')], upload);
    const local = (p: string) => join(assets, p).replace(/\\/g, '/');
    assert.deepEqual(
      first.map((e) => e.local),
      [local('scene.blend'), local('tex/a.png'), local('tex/sub/b.png')],
    );
    for (const e of first) assert.equal(e.server, e.local, 'a POSIX path keeps its rooted form');
    // A single folder given as a string is walked too (the reference added it as one entry).
    const second = await appendToUpload(join(assets, 'tex'), upload);
    assert.deepEqual(second, []);
    const doc = await readJson(upload);
    assert.equal((doc.asset as unknown[]).length, 3);
    assert.deepEqual(doc.scene, [{ local: 'x', server: '/x', hash: 'h' }]);
  });

  test('every missing path is named in one 1000004 error and nothing is written', async () => {
    const upload = join(dir, 'upload-missing.json');
    await writeFile(upload, '{"asset": []}');
    await assert.rejects(
      appendToUpload([join(assets, 'scene.blend'), join(dir, 'gone1'), join(dir, 'gone2')], upload),
      (e) => {
        assert.equal(codeOf(e), 1000004);
        assert.match((e as Error).message, /gone1.*gone2/);
        return true;
      },
    );
    assert.equal(await readFile(upload, 'utf8'), '{"asset": []}');
  });

  test('a missing upload.json is error 1000006', async () => {
    await assert.rejects(
      appendToUpload(join(assets, 'scene.blend'), join(dir, 'no-upload.json')),
      (e) => codeOf(e) === 1000006,
    );
  });

  test('a corrupt upload.json starts over from an empty asset list', async () => {
    const upload = join(dir, 'corrupt.json');
    await writeFile(upload, '{"asset": [ {"local": ');
    await appendToUpload(join(assets, 'scene.blend'), upload);
    assert.deepEqual((await readJson(upload)).asset, [
      { local: join(assets, 'scene.blend'), server: join(assets, 'scene.blend') },
    ]);
  });
});

describe('cuttingUpload', () => {
  test('splits asset into parts of the given size', async () => {
    const upload = join(dir, 'big', 'upload.json');
    await mkdir(join(dir, 'big'));
    const asset = Array.from({ length: 5 }, (_, i) => ({ local: `/p/${i}`, server: `/p/${i}` }));
    await writeFile(upload, JSON.stringify({ asset, scene: [] }));
    assert.deepEqual(await cuttingUpload(upload), [upload]);
    assert.deepEqual(await cuttingUpload(upload, { maxResourcesNumber: 5 }), [upload]);
    const out = join(dir, 'parts');
    const parts = await cuttingUpload(upload, { maxResourcesNumber: 2, afterCuttingPosition: out });
    assert.deepEqual(
      parts,
      [1, 2, 3].map((n) => join(out, `upload_${n}.json`)),
    );
    const chunks = await Promise.all(parts.map(readJson));
    assert.deepEqual(
      chunks.map((c) => c.asset),
      [asset.slice(0, 2), asset.slice(2, 4), asset.slice(4)],
    );
    assert.deepEqual((await readdir(out)).sort(), ['upload_1.json', 'upload_2.json', 'upload_3.json']);
  });

  test('a missing upload.json is error 200001', async () => {
    await assert.rejects(cuttingUpload(join(dir, 'nothing.json')), (e) => codeOf(e) === 200001);
  });
});
