/**
 * Every operator method of the reference Python SDK, replayed by a stdlib
 * Python stand-in (support/reference_operators.py) with the value types the
 * reference really sends — `cgIds` as the text of its DCC id table, "" for
 * unset audit dates, an empty `labelIds`, ids as text where a command line
 * hands them over — and the reference's own helpers (get_small_task_id,
 * get_all_frames, get_project_list, the login merge) run over the answers.
 * Skipped only when python3 is absent (and then failed under CI=true).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { createWorker, schedulerPlugin } from '../src/index.js';
import { NodeClient } from './scheduler-support.js';
import { startTestFarm, type TestFarm } from './support/farm.js';
import { blenderTaskJson, mayaTaskJson } from './support/task-json.js';

const CLIENT = fileURLToPath(new URL('./support/reference_operators.py', import.meta.url));

let farm: TestFarm;
let dir: string;
before(async () => {
  farm = await startTestFarm({ plugins: [schedulerPlugin()] });
  dir = await mkdtemp(join(tmpdir(), 'openfarm-pyops-'));
  // The software catalogue is what live render nodes render: a Blender 3.4 and a Maya 2022 node register first.
  const w = await createWorker(farm.server.farm.store.db, 'pyops-node');
  await new NodeClient(farm.url, w.token, 'pyops-node').register([
    { cgName: 'Blender', version: '3.4' },
    { cgName: 'Maya', version: '2022' },
  ]);
});
after(async () => {
  await farm.close();
  await rm(dir, { recursive: true, force: true });
});

interface Refusal {
  code: number;
  message: string;
}

test('each reference operator, with the argument types it sends, works and its helpers accept the answers', {
  skip: requireProgram('python3'),
}, async () => {
  const user = await farm.addUser('pyops');
  const scenario = join(dir, 'scenario.json');
  await writeFile(
    scenario,
    JSON.stringify({ maya: JSON.stringify(mayaTaskJson(0)), blender: JSON.stringify(blenderTaskJson(0)) }),
  );
  // Asynchronously: the farm answers from this very process.
  const r = await promisify(execFile)(
    'python3',
    [CLIENT, user.accessId, user.accessKey, farm.host, scenario],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(out.login, {
    user_name: 'pyops',
    input_bid: (out.login as { input_bid: string }).input_bid,
  });
  assert.ok((out.platforms as number[]).includes(2));
  assert.ok((out.software as string[]).includes('Blender'));
  assert.ok((out.blenderVersions as string[]).length > 0);
  // get_small_task_id: a layered task gives its layers, a task without children an (iterable) empty list.
  assert.equal((out.smallMaya as number[]).length, 2);
  assert.deepEqual(out.smallBlender, []);
  assert.deepEqual(out.blenderChildren, []);
  // get_all_frames paged with 3 a page until an empty page: every frame of the layer once.
  assert.ok((out.layerTotal as number) > 3, 'more than one page of frames');
  assert.equal((out.frameIndexes as string[]).length, out.layerTotal);
  // Numbers given as text were taken as those numbers.
  assert.deepEqual(out.afterText, { taskUserLevel: 70, overTimeStop: 5400 });
  assert.equal(out.framesText, 2);
  assert.ok((out.projects as string[]).includes('shots'));
  // cgIds ["2007"] and cgId "2007" find the Blender environment; a Maya query does not.
  assert.deepEqual(out.envsByNames, ['b34']);
  assert.deepEqual(out.envsByName, ['b34']);
  assert.deepEqual(out.envsOther, []);
  // Anything that is not a decimal number is still 600, with the field named.
  const refusals: Array<[string, string]> = [
    ['badCgIds', 'cgIds[0]'],
    ['badTaskIds', 'taskIds[0]'],
    ['badFloatText', 'taskUserLevel'],
    ['badRange', 'cgId'],
  ];
  for (const [key, field] of refusals) {
    const refusal = out[key] as Refusal;
    assert.equal(refusal.code, 600, `${key}: ${refusal.message}`);
    assert.ok(refusal.message.includes(field), `${key} names ${field}: ${refusal.message}`);
  }
});
