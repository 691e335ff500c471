/**
 * Issue 15 item 11 (server side): names with NUL, ANSI escapes or bidi
 * overrides were stored and later printed raw. Against a real server, every
 * way a name enters is refused with 600 naming the field (7004 for a transfer
 * path, whose code says "bad server path"): task labels and artist, project
 * and tag names, the job file's project name, scene file and render layer
 * names, and file names in transfer manifests. Printable Unicode still passes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertPrintableName, type ENDPOINTS, TRANSFER_PATHS } from '@openfarm/protocol';
import { AccountError, createUser, transferPlugin } from '@openfarm/server';
import { Client, startTestFarm, type TestFarm } from '../support/farm.js';
import { mayaTaskJson } from '../support/task-json.js';

const NASTY: ReadonlyArray<[string, string]> = [
  ['NUL', 'shot\u0000010'],
  ['ANSI escape', '\u001b[2J\u001b[31mshot'],
  ['C1 CSI', 'shot\u009b31m'],
  ['RTL override', 'render\u202Egpj.exe'],
  ['bidi isolate', 'a\u2066b'],
  ['newline', 'line1\nline2'],
];

let farm: TestFarm;
let alice: Client;

before(async () => {
  farm = await startTestFarm({ plugins: [transferPlugin()] });
  alice = new Client(farm, await farm.addUser('alice'));
});
after(async () => farm.close());

async function expect600(name: keyof typeof ENDPOINTS, body: unknown, field: RegExp): Promise<void> {
  const { envelope } = await alice.callEndpoint(name, body);
  assert.equal(envelope.code, 600, `${name}: ${JSON.stringify(envelope)}`);
  assert.match(envelope.message, field);
  assert.match(envelope.message, /control character or a bidirectional override \(U\+[0-9A-F]{4} at \d+\)/);
}

describe('names with control characters are refused at the API', () => {
  for (const [what, nasty] of NASTY) {
    test(`${what}: task labels, artist, project and tag names`, async () => {
      await expect600('task.createTask', { count: 1, labels: ['ok', nasty] }, /labels\[1\]/);
      await expect600('task.createTask', { count: 1, artist: nasty }, /artist/);
      await expect600('tag.addLabel', { newName: nasty }, /newName/);
      const [taskId] = (await alice.api('task.createTask', { count: 1 })).taskIdList;
      await expect600('tag.addTaskTag', { label: nasty, taskIds: [taskId] }, /label/);
    });
  }

  test('job files: project name, scene file and render layer names', async () => {
    const cases: Array<[string, (json: ReturnType<typeof mayaTaskJson>) => void, RegExp]> = [
      [
        'project name',
        (j) => (j.task_info.project_name = 'shots\u001b]0;pwned\u0007'),
        /task_info\.project_name/,
      ],
      [
        'scene file',
        (j) => (j.task_info.input_cg_file = 'D:/proj/shot\u202E010.ma'),
        /task_info\.input_cg_file/,
      ],
      [
        'render layer',
        (j) => {
          (j.scene_info_render as Record<string, unknown>)['beauty\u0000'] = j.scene_info_render.beauty;
        },
        /scene_info_render \(render unit "beauty\\u0000"\)/,
      ],
    ];
    for (const [what, spoil, field] of cases) {
      const [taskId] = (await alice.api('task.createTask', { count: 1 })).taskIdList;
      const json = mayaTaskJson(taskId!);
      spoil(json);
      const upload = await alice.callEndpoint('transmit.uploadJsonContent', {
        taskId,
        fileName: 'task.json',
        content: JSON.stringify(json),
      });
      // Refused when the file arrives or, at the latest, when the task is submitted; never stored as a task.
      const { envelope } =
        upload.envelope.code === 200 ? await alice.callEndpoint('task.submitTask', { taskId }) : upload;
      assert.equal(envelope.code, 600, `${what}: ${JSON.stringify(envelope)}`);
      assert.match(envelope.message, field, what);
      assert.match(envelope.message, /control character or a bidirectional override/, what);
    }
  });

  test('transfer paths: a file name with a bidi override or a C1 control is a bad server path', async () => {
    for (const path of ['/proj/render\u202Egpj.exe', '/proj/a\u009bb.exr', '/proj/a\u0007b.exr']) {
      const { envelope } = await alice.call(TRANSFER_PATHS.manifest, {
        storage: 'input',
        entries: [{ path, sha256: 'a'.repeat(64), size: 1, mtime: 0 }],
      });
      assert.equal(envelope.code, 7004, `${JSON.stringify(path)}: ${JSON.stringify(envelope)}`);
      assert.match(envelope.message, /control character or a bidirectional override \(U\+/);
    }
  });

  test('user names: the account commands refuse them too', async () => {
    for (const [, nasty] of NASTY) {
      await assert.rejects(createUser(farm.server.farm.store.db, nasty), AccountError);
    }
  });

  test('printable names in any script still pass', async () => {
    const created = await alice.api('task.createTask', {
      count: 1,
      labels: ['Ünïcode 渲染 שלום'],
      artist: 'Zoë',
    });
    assert.equal(created.taskIdList.length, 1);
    await alice.api('tag.addLabel', { newName: 'プロジェクト' });
    assert.doesNotThrow(() => assertPrintableName('tab\u00a0nbsp and emoji 🎬', 'name'));
  });
});
