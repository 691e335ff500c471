import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TASK_INFO_DEFAULTS, validateJobFile } from '@openfarm/protocol';
import { AnalyzeHoudini } from '../src/index.js';
import {
  buildHip,
  buildHipMarkers,
  defSection,
  parmLine,
  parmSection,
  type SectionList,
} from './fixtures/houdini/hip-builder.js';
import { SHOT_SCENE } from './fixtures/houdini/shot-scene.js';

/**
 * task_info of Houdini scenes with and without HQueue distributed
 * simulations, on .hip files written by the fixture builder (the shot has
 * one 4-slice sim, `/out/sim`).
 */
const root = mkdtempSync(join(tmpdir(), 'openfarm-houdini-task-info-'));
after(() => rmSync(root, { recursive: true, force: true }));
const workspace = join(root, 'workspace');
mkdirSync(workspace);

const isSim = ([name]: readonly [string, unknown]) => name.startsWith('out/sim.');
const WITHOUT_SIM: SectionList = SHOT_SCENE.filter((s) => !isSim(s));
const SIM_BYPASSED: SectionList = SHOT_SCENE.map(([name, text]) =>
  name === 'out/sim.def' ? [name, defSection({ bypass: true })] : [name, text],
);
/** A second, wider sim beside the shot's: the task needs as many nodes as the widest one. */
const TWO_SIMS: SectionList = [
  ...SHOT_SCENE,
  ['out/wide.init', 'type = hq_sim\nmatchesdef = 0\n'],
  ['out/wide.def', defSection()],
  [
    'out/wide.parm',
    parmSection(
      parmLine('hq_driver', '/out/geometry1'),
      parmLine('hq_sim_controls', '/obj/dopnet1/distribute'),
      parmLine('num_slices', '12'),
      parmLine('f', '1', '24', '1'),
    ),
  ],
];

interface TaskJson {
  task_info: Record<string, string>;
  scene_info_render: { distributedsim_node: { node: string; render: string }[] };
}

async function taskOf(name: string, bytes: Uint8Array): Promise<TaskJson> {
  const hip = join(root, name);
  writeFileSync(hip, bytes);
  const analyzer = await new AnalyzeHoudini({ cgFile: hip, workspace }).analyse();
  const task = JSON.parse(readFileSync(analyzer.taskJson, 'utf8'));
  // What the file says is what the protocol accepts.
  validateJobFile('task', task, 'task.json');
  return task;
}

async function taskInfoOf(name: string, bytes: Uint8Array): Promise<Record<string, string>> {
  return (await taskOf(name, bytes)).task_info;
}

describe('Houdini task_info', () => {
  test('a distributed simulation turns distributed rendering on, with a node per slice', async () => {
    const info = await taskInfoOf('shot.hip', buildHip(SHOT_SCENE));
    assert.equal(info.is_distribute_render, '1');
    assert.equal(info.distribute_render_node, '4');
    assert.equal(info.cg_id, '2004');
  });

  test('Apprentice files say the same', async () => {
    const info = await taskInfoOf('shot.hipnc', buildHipMarkers(SHOT_SCENE, 'NC'));
    assert.equal(info.is_distribute_render, '1');
    assert.equal(info.distribute_render_node, '4');
  });

  test('the widest of several sims sets the node count', async () => {
    const info = await taskInfoOf('two-sims.hip', buildHip(TWO_SIMS));
    assert.equal(info.is_distribute_render, '1');
    assert.equal(info.distribute_render_node, '12');
  });

  test('without a sim, or with the sim bypassed, the template defaults stay', async () => {
    for (const [name, sections] of [
      ['no-sim.hip', WITHOUT_SIM],
      ['bypassed-sim.hip', SIM_BYPASSED],
    ] as const) {
      const task = await taskOf(name, buildHip(sections));
      const info = task.task_info;
      // The bypassed sim is still described, as not rendered; the other scene has none.
      assert.deepEqual(
        task.scene_info_render.distributedsim_node.map((d) => [d.node, d.render]),
        sections === SIM_BYPASSED ? [['/out/sim', '0']] : [],
      );
      assert.equal(info.is_distribute_render, TASK_INFO_DEFAULTS.is_distribute_render, name);
      assert.equal(info.distribute_render_node, TASK_INFO_DEFAULTS.distribute_render_node, name);
    }
  });
});
