import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AnalyzeHoudini, AnalyzeMaya, DependencyCollector, followNestedDependencies } from '../src/index.js';
import { buildHip, defSection, parmLine, parmSection } from './fixtures/houdini/hip-builder.js';
import { crateBytes } from './support/usd-crate-writer.js';
import { storedZip } from './support/usdz-writer.js';

/**
 * A shot whose textures are reached only through USD: scene → shot.usda
 * (text) → layers/anim.usdc (crate) → ../assets/ball.usda (text) →
 * looks/ball_looks.usdc (crate) → ../../tex/…, plus a USDZ prop package and
 * a sublayer cycle.
 */
const root = mkdtempSync(join(tmpdir(), 'openfarm-nested-'));
const shot = join(root, 'shot');
const workspace = join(root, 'ws');
const files: Record<string, string> = {};

function put(rel: string, content: string | Uint8Array): void {
  const path = join(shot, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  files[rel] = path;
}

const MAYA_SCENE = `//Maya ASCII 2024 scene
//Name: shot.ma
requires maya "2024";
requires -nodeType "mayaUsdProxyShapeBase" "mayaUsdPlugin" "0.25.0";
currentUnit -l centimeter -a degree -t film;
fileInfo "application" "maya";
createNode transform -n "stage1";
createNode mayaUsdProxyShapeBase -n "stageShape1" -p "stage1";
	setAttr ".fp" -type "string" "usd/shot.usda";
`;

before(() => {
  mkdirSync(workspace);
  put('scenes/shot.ma', MAYA_SCENE.replace('usd/shot.usda', '../usd/shot.usda'));
  put(
    'usd/shot.usda',
    `#usda 1.0
(
    subLayers = [@./layers/anim.usdc@, @./cycle_a.usda@]
)
def "Props" (references = @../assets/props.usdz@) {}
`,
  );
  put('usd/cycle_a.usda', '#usda 1.0\n(\n    subLayers = [@./cycle_b.usda@]\n)\n');
  put('usd/cycle_b.usda', '#usda 1.0\n(\n    subLayers = [@./cycle_a.usda@, @./shot.usda@]\n)\n');
  put(
    'usd/layers/anim.usdc',
    crateBytes([
      { path: '/', specType: 7, fields: {} },
      { path: '/Ball', specType: 6, fields: { references: { references: ['../../assets/ball.usda'] } } },
    ]),
  );
  put(
    'assets/ball.usda',
    `#usda 1.0
def Xform "Ball" (
    prepend references = @./looks/ball_looks.usdc@
)
{
    asset inputs:normal = @../tex/ball_normal.png@
}
`,
  );
  put(
    'assets/looks/ball_looks.usdc',
    crateBytes([
      { path: '/', specType: 7, fields: {} },
      { path: '/Ball{look=red}', specType: 10, fields: {} },
      {
        path: '/Ball{look=red}/Tex.inputs:file',
        specType: 1,
        fields: { default: { string: '../../tex/ball_<UDIM>.png' } },
      },
      { path: '/Ball{look=blue}', specType: 10, fields: {} },
      {
        path: '/Ball{look=blue}/Tex.inputs:file',
        specType: 1,
        fields: { default: { asset: '../../tex/ball_blue.png' } },
      },
      { path: '/Ball{look=ten}', specType: 10, fields: {} },
      {
        path: '/Ball{look=ten}/Tex.inputs:file',
        specType: 1,
        fields: { default: { asset: '../../tex/ball10.tex' } },
      },
    ]),
  );
  put('tex/ball_1001.png', 'tile');
  put('tex/ball_1002.png', 'tile');
  put('tex/ball_blue.png', 'blue');
  put('tex/ball_normal.png', 'normal');
  put('tex/prop.png', 'prop');
  put(
    'assets/props.usdz',
    storedZip({
      'props.usda':
        '#usda 1.0\ndef "Prop" { asset inputs:file = @./inner.png@\n asset inputs:outer = @../tex/prop.png@ }\n',
      'inner.png': 'inside the package',
    }),
  );
  // Houdini: a Solaris sublayer LOP (multiparm) and a reference LOP, $HIP-relative.
  put(
    'houdini/shot.hip',
    buildHip([
      [
        '.start',
        'fplayback -i on -r off -f 1 -b 1 -e 10 -h 0 -t 0 -a on -k off -s 1\ntcur 0\nfps 24\ntset 0 0.4166\nframe 1\n',
      ],
      ['.variables', 'set -g HIP = /nowhere\n'],
      ['stage.def', defSection()],
      ['stage.parm', parmSection()],
      ['stage/layers.init', 'type = sublayer\nmatchesdef = 0\n'],
      ['stage/layers.def', defSection()],
      [
        'stage/layers.parm',
        parmSection(
          parmLine('num_files', '2'),
          parmLine('filepath1', '$HIP/../usd/shot.usda'),
          parmLine('filepath2', 'extra.usda'),
        ),
      ],
      ['stage/ref.init', 'type = reference::2.0\nmatchesdef = 0\n'],
      ['stage/ref.def', defSection()],
      ['stage/ref.parm', parmSection(parmLine('filepath1', '$HIP/../assets/ball.usda'))],
    ]),
  );
  put('houdini/extra.usda', '#usda 1.0\ndef "X" { asset inputs:file = @../tex/missing_extra.exr@ }\n');
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('files named inside files: a USD chain of text and crate layers', () => {
  test('Maya: the proxy shape base names the stage; every layer and texture is uploaded once', async () => {
    const maya = await new AnalyzeMaya({ cgFile: files['scenes/shot.ma']!, workspace }).analyse();
    const locals = maya.uploadInfo!.asset.map((a) => a.local);
    assert.equal(new Set(locals).size, locals.length, 'each file once');
    for (const rel of [
      'usd/shot.usda',
      'usd/layers/anim.usdc',
      'usd/cycle_a.usda',
      'usd/cycle_b.usda',
      'assets/ball.usda',
      'assets/looks/ball_looks.usdc',
      'assets/props.usdz',
      'tex/ball_1001.png',
      'tex/ball_1002.png',
      'tex/ball_blue.png',
      'tex/ball_normal.png',
      'tex/prop.png',
    ]) {
      assert.ok(locals.includes(files[rel]!.replace(/\\/g, '/')), `${rel} is uploaded`);
    }
    assert.ok(
      !locals.some((l) => l.endsWith('inner.png')),
      'a file inside the package is not a separate upload',
    );
    assert.equal(locals.at(-1), files['scenes/shot.ma']!.replace(/\\/g, '/'));
    // shot.usda, anim.usdc, cycle_a, cycle_b, props.usdz, ball.usda, ball_looks.usdc: each read once.
    assert.equal(maya.nestedFiles.length, 7);
  });

  test('a missing texture is a tip with the chain that named it', async () => {
    const maya = await new AnalyzeMaya({ cgFile: files['scenes/shot.ma']!, workspace }).analyse();
    const tips = maya.tipsInfo!['10012']!;
    assert.equal(tips.length, 1, tips.join('\n'));
    assert.equal(
      tips[0]!.replace(/ \(resolved: .*\)$/, ''),
      'ball_looks.usdc </Ball{look=ten}/Tex.inputs:file>, named by ball.usda </Ball> references, ' +
        'named by anim.usdc </Ball> references, named by shot.usda </> subLayers, ' +
        'named by stageShape1.fp in shot.ma: ../../tex/ball10.tex',
    );
    assert.match(tips[0]!, /\(resolved: .*\/shot\/tex\/ball10\.tex\)$/);
    const dep = maya.dependencies.find((d) => d.path === '../../tex/ball10.tex');
    assert.deepEqual(
      dep?.via?.map((v) => v.slice(shot.length + 1).replace(/\\/g, '/')),
      ['usd/shot.usda', 'usd/layers/anim.usdc', 'assets/ball.usda', 'assets/looks/ball_looks.usdc'],
    );
  });

  test('Houdini: sublayer (every filepath#) and reference LOPs hand their layers over', async () => {
    const hou = await new AnalyzeHoudini({ cgFile: files['houdini/shot.hip']!, workspace }).analyse();
    const locals = hou.uploadInfo!.asset.map((a) => a.local);
    for (const rel of [
      'usd/shot.usda',
      'houdini/extra.usda',
      'assets/looks/ball_looks.usdc',
      'tex/ball_1002.png',
      'tex/prop.png',
    ]) {
      assert.ok(locals.includes(files[rel]!.replace(/\\/g, '/')), `${rel} is uploaded`);
    }
    assert.equal(new Set(locals).size, locals.length);
    const tips = hou.tipsInfo!['50001']!;
    assert.ok(
      tips.some((t) =>
        t.startsWith(
          'extra.usda </X.inputs:file>, named by /stage/layers.filepath2 in shot.hip: ../tex/missing_extra.exr',
        ),
      ),
      tips.join('\n'),
    );
    assert.ok(tips.some((t) => t.includes('ball10.tex')));
  });

  test('a damaged layer is a tip; the rest of the scene is still analyzed', async () => {
    const dir = mkdtempSync(join(root, 'bad-'));
    writeFileSync(join(dir, 'scene.ma'), MAYA_SCENE.replace('usd/shot.usda', 'broken.usdc'));
    writeFileSync(join(dir, 'broken.usdc'), 'PXR-USDC then nothing useful');
    const maya = await new AnalyzeMaya({ cgFile: join(dir, 'scene.ma'), workspace }).analyse();
    assert.ok(maya.uploadInfo!.asset.some((a) => a.local.endsWith('/broken.usdc')));
    const tips = maya.tipsInfo!['10012']!;
    assert.match(
      tips[0]!,
      /^broken\.usdc, named by stageShape1\.fp in scene\.ma: USD file not read \(TRUNCATED: /,
    );
  });

  test('depth and count limits end a runaway chain with a tip', () => {
    const dir = mkdtempSync(join(root, 'deep-'));
    for (let i = 0; i < 12; i++)
      writeFileSync(join(dir, `l${i}.usda`), `#usda 1.0\n(\n subLayers = [@./l${i + 1}.usda@]\n)\n`);
    writeFileSync(join(dir, 'l12.usda'), '#usda 1.0\n');
    const collector = new DependencyCollector({ roots: [dir] });
    collector.add({ path: 'l0.usda', owner: 'stage.fp', kind: 'usd' });
    const report = followNestedDependencies(collector, join(dir, 'scene.ma'), { maxDepth: 5, maxFiles: 100 });
    assert.equal(report.read.length, 5);
    assert.match(report.problems[0]!, /^l5\.usda, named by .*: not read \(nested deeper than 5\)$/);
    const few = new DependencyCollector({ roots: [dir] });
    few.add({ path: 'l0.usda', owner: 'stage.fp', kind: 'usd' });
    assert.match(
      followNestedDependencies(few, join(dir, 'scene.ma'), { maxDepth: 50, maxFiles: 3 }).problems[0]!,
      /more than 3 nested files/,
    );
  });
});
