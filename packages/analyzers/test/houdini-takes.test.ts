import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AnalyzeHoudini, readHoudiniScene } from '../src/index.js';
import { parseTakes } from '../src/houdini/takes.js';
import { buildHip, buildHipMarkers, defSection, parmLine, parmSection, type SectionList } from './fixtures/houdini/hip-builder.js';
import { buildTakes } from './fixtures/houdini/take-writer.js';
import { flipBits, insertRandomBytes, mulberry32, randomInt, truncateRandomly } from './support/fuzz.js';

/**
 * A Mantra ROP rendering in take `lighting` (a kid of `shots`, itself a kid
 * of Main): `shots` overrides the frame range and the texture a file SOP
 * reads; `lighting` overrides the output path and the camera, and the
 * camera's resolution. A second ROP renders the current take and keeps the
 * Main values; a third names a take the file does not hold.
 */
const TAKES = buildTakes({
  name: 'Main',
  kids: [
    {
      name: 'shots',
      overrides: {
        'out/beauty': [parmLine('f', '2001', '2010', '3')],
        'obj/geo1/model': [parmLine('file', '$HIP/geo/take_model.bgeo.sc')],
      },
      kids: [
        {
          name: 'lighting',
          overrides: {
            'out/beauty': [parmLine('vm_picture', '$HIP/render/lighting.$F4.exr'), parmLine('camera', '/obj/cam2')],
            'obj/cam2': [parmLine('res', '640', '360')],
          },
        },
      ],
    },
    { name: 'unused', overrides: { 'out/beauty': [parmLine('f', '7', '7', '1')] } },
  ],
});

function mantra(name: string, take: string): SectionList {
  return [
    [`out/${name}.init`, 'type = ifd\nmatchesdef = 0\n'],
    [`out/${name}.def`, defSection()],
    [
      `out/${name}.parm`,
      parmSection(
        parmLine('trange', '"normal"'),
        parmLine('f', '1', '10', '1'),
        parmLine('camera', '/obj/cam1'),
        parmLine('take', take),
        parmLine('vm_picture', `$HIP/render/${name}.$F4.exr`),
      ),
    ],
  ];
}

const SCENE: SectionList = [
  ['.start', 'fps 24\nfrange 1 100\ntcur 0\n'],
  ['.variables', "set -g _HIP_SAVEVERSION = '20.5.410'\n"],
  ['.takeconfig', 'takename -g take\n'],
  ['.takes', TAKES],
  ['obj.def', defSection()],
  ['obj.parm', parmSection()],
  ['obj/cam1.init', 'type = cam\nmatchesdef = 0\n'],
  ['obj/cam1.def', defSection()],
  ['obj/cam1.parm', parmSection(parmLine('res', '1920', '1080'))],
  ['obj/cam2.init', 'type = cam\nmatchesdef = 0\n'],
  ['obj/cam2.def', defSection()],
  ['obj/cam2.parm', parmSection(parmLine('res', '2048', '858'))],
  ['obj/geo1.init', 'type = geo\nmatchesdef = 0\n'],
  ['obj/geo1.def', defSection()],
  ['obj/geo1.parm', parmSection()],
  ['obj/geo1/model.init', 'type = file\nmatchesdef = 0\n'],
  ['obj/geo1/model.def', defSection()],
  ['obj/geo1/model.parm', parmSection(parmLine('file', '$HIP/geo/main_model.bgeo.sc'))],
  ['out.def', defSection()],
  ['out.parm', parmSection()],
  ...mantra('beauty', 'lighting'),
  ...mantra('current', '_current_'),
  ...mantra('lost', 'no_such_take'),
];

const root = mkdtempSync(join(tmpdir(), 'openfarm-houdini-takes-'));
after(() => rmSync(root, { recursive: true, force: true }));
const hip = join(root, 'shot', 'takes.hip');
mkdirSync(join(root, 'shot', 'geo'), { recursive: true });
writeFileSync(hip, buildHip(SCENE));
writeFileSync(join(root, 'shot', 'geo', 'main_model.bgeo.sc'), 'x');

describe('Houdini takes', () => {
  test('the take tree: names, parents, overridden nodes', () => {
    const takes = parseTakes(TAKES);
    assert.deepEqual([...takes.keys()], ['Main', 'shots', 'lighting', 'unused']);
    assert.equal(takes.get('lighting')?.parent, 'shots');
    assert.equal(takes.get('shots')?.parent, 'Main');
    assert.equal(takes.get('unused')?.parent, 'Main');
    assert.deepEqual([...takes.get('shots')!.overrides.keys()], ['/out/beauty', '/obj/geo1/model']);
  });

  test("a ROP naming a take reports the take's frames, output, camera and resolution, inherited ones included", () => {
    for (const bytes of [readFileSync(hip), buildHipMarkers(SCENE, 'NC')]) {
      const scene = readHoudiniScene(bytes, { hipFile: hip, env: {} });
      const beauty = scene.rops.find((r) => r.node === '/out/beauty')!;
      assert.equal(beauty.take, 'lighting');
      assert.equal(beauty.takeFound, true);
      assert.deepEqual(beauty.frames, { start: 2001, end: 2010, step: 3 });
      assert.equal(beauty.output, `${join(root, 'shot').replace(/\\/g, '/')}/render/lighting.$F4.exr`);
      assert.equal(beauty.camera, '/obj/cam2');
      assert.deepEqual(beauty.resolution, { width: 640, height: 360, source: 'camera' });
    }
  });

  test('_current_ and an unknown take keep the Main values', () => {
    const scene = readHoudiniScene(readFileSync(hip), { hipFile: hip, env: {} });
    const current = scene.rops.find((r) => r.node === '/out/current')!;
    assert.equal(current.take, undefined);
    assert.deepEqual(current.frames, { start: 1, end: 10, step: 1 });
    assert.equal(current.camera, '/obj/cam1');
    const lost = scene.rops.find((r) => r.node === '/out/lost')!;
    assert.equal(lost.take, 'no_such_take');
    assert.equal(lost.takeFound, false);
    assert.deepEqual(lost.frames, { start: 1, end: 10, step: 1 });
  });

  test("task.json frames and the take's file: the analyzer uploads Main's and reports the take's missing one", async () => {
    const workspace = join(root, 'ws');
    mkdirSync(workspace, { recursive: true });
    const analyzer = new AnalyzeHoudini({ cgFile: hip, workspace });
    await analyzer.analyse();
    const rops = analyzer.taskInfo?.scene_info_render as { rop_node: { node: string; frames: string }[] };
    assert.equal(rops.rop_node.find((r) => r.node === '/out/beauty')?.frames, '2001-2010[3]');
    const uploads = analyzer.uploadInfo!.asset.map((a) => a.local);
    assert.ok(uploads.some((l) => l.endsWith('geo/main_model.bgeo.sc')));
    const tips = JSON.stringify(analyzer.tipsInfo);
    assert.match(tips, /obj\/geo1\/model\.file: [^"]*\/geo\/take_model\.bgeo\.sc/);
  });

  test('1000 damaged .takes sections parse to some takes or none, never throw', () => {
    const rng = mulberry32(0x7a4e5);
    for (let i = 0; i < 1000; i++) {
      let bytes: Uint8Array = TAKES.slice();
      const pick = randomInt(rng, 3);
      if (pick === 0) flipBits(rng, bytes, 12);
      else if (pick === 1) bytes = truncateRandomly(rng, bytes);
      else bytes = insertRandomBytes(rng, bytes, randomInt(rng, bytes.length), 40);
      const takes = parseTakes(bytes);
      assert.ok(takes.size <= 10_000);
      const scene = readHoudiniScene(buildHip([...SCENE.filter(([n]) => n !== '.takes'), ['.takes', bytes]]), {
        hipFile: hip,
        env: {},
      });
      assert.equal(scene.rops.length, 3);
    }
  });
});
