import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readHoudiniScene } from '../src/index.js';
import { readHipArchive } from '../src/houdini/container.js';
import { parmToken } from '../src/houdini/parm-values.js';
import { applyRopTakes } from '../src/houdini/rop-takes.js';
import { findRops } from '../src/houdini/rops.js';
import type { HoudiniNode } from '../src/houdini/scene-tree.js';
import { nodesInTake } from '../src/houdini/takes.js';
import { parmLine } from './fixtures/houdini/hip-builder.js';
import { buildTakes } from './fixtures/houdini/take-writer.js';

/**
 * Takes in files saved by Houdini (12.1, qLib's examples) with overrides: the
 * take tree, the string table, each overridden parm's block, and what a ROP
 * rendering in one of those takes is described as. The files are not
 * committed; `OPENFARM_NESTED_SAMPLES` names a folder filled by
 * `test/fixtures/nested-samples.sh` (sources and licences in
 * `test/fixtures/NESTED-SOURCES.md`). Also checks that the test take writer,
 * which the other take tests use, writes these sections byte for byte.
 */
const samples = process.env.OPENFARM_NESTED_SAMPLES;
const present = samples !== undefined && existsSync(join(samples, 'qlib'));
const skip = present
  ? false
  : 'OPENFARM_NESTED_SAMPLES is not set to a folder filled by test/fixtures/nested-samples.sh';
const hip = (name: string) => join(samples ?? '', 'qlib', 'examples', name);

function read(file: string) {
  return readHoudiniScene(readFileSync(file), { hipFile: file, env: {} });
}

function takesSection(file: string): Uint8Array {
  const section = readHipArchive(readFileSync(file), file).sections.find((s) => s.name === '.takes');
  assert.ok(section !== undefined, `${file} has a .takes section`);
  return section.body;
}

const text = (node: HoudiniNode | undefined, parm: string) =>
  node?.parms
    .get(parm)
    ?.map((c) => ('text' in c ? c.text : ''))
    .join(' ');

describe('Houdini takes saved by Houdini', { skip }, () => {
  test('breako.hip: a take two levels down inherits through a take that overrides nothing', () => {
    const scene = read(hip('workflow/breako.hip'));
    assert.deepEqual(
      [...scene.takes.values()].map((t) => [t.name, t.parent]),
      [
        ['Main', undefined],
        ['sim_settings', 'Main'],
        ['accurate_sim', 'sim_settings'],
      ],
    );
    const solver = '/obj/dopnet_rbd/rigidbodysolver1';
    const iterations = (take: string) => {
      const node = nodesInTake(scene.nodes, scene.takes, take)?.get(solver);
      return [text(node, 'collisioniterations'), text(node, 'contactiterations')];
    };
    assert.deepEqual(iterations('Main'), ['1', '1']);
    assert.deepEqual(iterations('sim_settings'), ['1', '1']);
    assert.deepEqual(iterations('accurate_sim'), ['5', '7']);
  });

  test('super_light_ql_OBJ.hip: the ROP naming take "grid" is described in it', () => {
    const scene = read(hip('super_light_ql_OBJ.hip'));
    const rop = scene.rops.find((r) => r.node === '/out/test_grid');
    assert.equal(rop?.take, 'grid');
    assert.equal(rop?.takeFound, true);
    assert.equal(scene.rops.find((r) => r.node === '/out/test')?.take, undefined, 'renders the current take');
    const instances = (take: string) =>
      text(nodesInTake(scene.nodes, scene.takes, take)?.get('/obj/super_light_instances'), 'instancepath');
    assert.equal(instances('Main'), '/obj/instanced_super_light_ql');
    assert.equal(instances('grid'), '/obj/hlight1');
  });

  test("primgroups_with_pop.hip: the Mantra ROP in each of its three takes gets that take's output, frame range and samples", () => {
    const file = hip('workflow/primgroups_with_pop.hip');
    const scene = read(file);
    assert.deepEqual([...scene.takes.keys()], ['Main', 'low_q', 'output_file', 'render_seq']);
    const env = {
      vars: scene.variables,
      env: {},
      fps: scene.fps,
      frameStart: scene.frameStart,
      frameEnd: scene.frameEnd,
    };
    // The ROP renders the current take (`_current_`); each case is that ROP with its take parm set.
    const inTake = (take: string) => {
      const nodes = new Map(scene.nodes);
      const rop = nodes.get('/out/mantra1')!;
      assert.equal(parmToken(rop, 'take'), '_current_');
      nodes.set('/out/mantra1', {
        ...rop,
        parms: new Map([...rop.parms, ['take', [{ kind: 'literal', text: take }]]]),
      });
      return applyRopTakes(nodes, scene.takes, findRops(nodes, env), env).rops.find(
        (r) => r.node === '/out/mantra1',
      )!;
    };
    const main = scene.rops.find((r) => r.node === '/out/mantra1')!;
    assert.equal(main.outputRaw, 'ip');
    assert.equal(main.trange, 'off');
    const output = inTake('output_file');
    assert.equal(output.takeFound, true);
    assert.equal(output.outputRaw, '$HIP/images/primgroups_pop.$F4.exr');
    assert.equal(
      output.output,
      `${join(samples ?? '', 'qlib', 'examples', 'workflow')}/images/primgroups_pop.$F4.exr`,
    );
    assert.equal(output.trange, 'off');
    const sequence = inTake('render_seq');
    assert.equal(sequence.trange, 'on');
    assert.equal(sequence.outputRaw, 'ip');
    const low = nodesInTake(scene.nodes, scene.takes, 'low_q')?.get('/out/mantra1');
    assert.equal(text(low, 'vm_samples'), '1 1');
    assert.equal(text(low, 'vm_minraysamples'), '1');
    assert.equal(text(scene.nodes.get('/out/mantra1'), 'vm_samples'), '5 5');
  });

  test('the test take writer writes these sections byte for byte', () => {
    const breako = buildTakes({
      name: 'Main',
      overrides: {
        '/obj/dopnet_rbd/rigidbodysolver1': [
          parmLine('collisioniterations', '1'),
          parmLine('contactiterations', '1'),
        ],
      },
      kids: [
        {
          name: 'sim_settings',
          kids: [
            {
              name: 'accurate_sim',
              overrides: {
                '/obj/dopnet_rbd/rigidbodysolver1': [
                  parmLine('collisioniterations', '5'),
                  parmLine('contactiterations', '7'),
                ],
              },
            },
          ],
        },
      ],
    });
    assert.deepEqual(Buffer.from(breako), Buffer.from(takesSection(hip('workflow/breako.hip'))));
    const mantra = '/out/mantra1';
    const primgroups = buildTakes({
      name: 'Main',
      overrides: {
        [mantra]: [
          parmLine('vm_minraysamples', '3'),
          parmLine('vm_picture', 'ip'),
          parmLine('trange', '"off"'),
          parmLine('vm_samples', '5', '5'),
        ],
      },
      kids: [
        {
          name: 'low_q',
          overrides: { [mantra]: [parmLine('vm_minraysamples', '1'), parmLine('vm_samples', '1', '1')] },
        },
        {
          name: 'output_file',
          overrides: { [mantra]: [parmLine('vm_picture', '$HIP/images/primgroups_pop.$F4.exr')] },
        },
        { name: 'render_seq', overrides: { [mantra]: [parmLine('trange', '"on"')] } },
      ],
    });
    assert.deepEqual(
      Buffer.from(primgroups),
      Buffer.from(takesSection(hip('workflow/primgroups_with_pop.hip'))),
    );
  });
});
