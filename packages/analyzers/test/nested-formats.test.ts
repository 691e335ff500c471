import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  AnalyzeError,
  DependencyCollector,
  dependencyReaderFor,
  followNestedDependencies,
  readAssDependencies,
  readMtlxDependencies,
  readOcioDependencies,
  readVrsceneDependencies,
  readXgenDependencies,
} from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-nested-formats-'));
after(() => rmSync(root, { recursive: true, force: true }));
const enc = new TextEncoder();

const ASS = `### exported: Mon Dec  7 2026
options
{
 AA_samples 3
 texture_searchpath "/studio/tex:maps"
 outputs "RGBA RGBA myfilter mydriver"
}

driver_exr
{
 name mydriver
 filename "render/beauty.exr"
}

image
{
 name wood
 filename "wood.<UDIM>.tx"
}

procedural
{
 name tree
 filename "proxies/tree.ass.gz"
}

polymesh
{
 name mesh
 vlist 3 1 POINT
 0 0 0 1 0 0 0 1 0
 "filename" "a quoted string on an array line is data"
}

photometric_light
{
 name ies1
 filename "C:\\\\lights\\\\spot.ies"
}

color_manager_ocio
{
 name ocio
 config "ocio/config.ocio"
}
`;

describe('Arnold .ass', () => {
  test('file parameters of inputs, not output drivers; search paths become roots', () => {
    const refs = readAssDependencies(enc.encode(ASS), '/shots/a/scene.ass');
    assert.deepEqual(
      refs.map((r) => [r.path, r.owner, r.kind]),
      [
        ['wood.<UDIM>.tx', 'image wood.filename', 'texture'],
        ['proxies/tree.ass.gz', 'procedural tree.filename', 'proxy'],
        ['C:\\lights\\spot.ies', 'photometric_light ies1.filename', 'ies'],
        ['ocio/config.ocio', 'color_manager_ocio ocio.config', 'color-config'],
      ],
    );
    assert.deepEqual(refs[0]!.roots, ['/shots/a', '/studio/tex', '/shots/a/maps']);
    assert.equal(refs[0]!.sceneRootsToo, true);
  });

  test('gzip .ass.gz is read; an unclosed node block is an AnalyzeError', () => {
    const file = join(root, 'x.ass.gz');
    writeFileSync(file, gzipSync(ASS));
    assert.equal(dependencyReaderFor(file)!.read(file).length, 4);
    assert.throws(
      () => readAssDependencies(enc.encode('image\n{\n name a\n')),
      (e: unknown) => e instanceof AnalyzeError && e.code === 'TRUNCATED',
    );
    writeFileSync(join(root, 'bad.ass.gz'), Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3));
    assert.throws(() => dependencyReaderFor('bad.ass.gz')!.read(join(root, 'bad.ass.gz')), /gzip/);
  });
});

describe('MaterialX .mtlx', () => {
  test('filename inputs with the nearest fileprefix, entities decoded, xi:include', () => {
    const refs = readMtlxDependencies(
      `<?xml version="1.0"?>
<!-- <input type="filename" value="commented.png"/> -->
<materialx version="1.39" fileprefix="textures/" xmlns:xi="http://www.w3.org/2001/XInclude">
  <xi:include href="lib/shared.mtlx" />
  <nodegraph name="NG" fileprefix="wood/">
    <image name="base" type="color3">
      <input name="file" type="filename" value="wood.&lt;UDIM&gt;.png" />
    </image>
  </nodegraph>
  <image name="rough" type="float"><input name="file" type="filename" value="/abs/rough.exr"/></image>
  <input name="label" type="string" value="not.png" />
</materialx>`,
      '/m/look.mtlx',
    );
    assert.deepEqual(
      refs.map((r) => [r.path, r.owner, r.kind]),
      [
        ['lib/shared.mtlx', 'xi:include', 'materialx'],
        ['wood/wood.<UDIM>.png', '<input> NG/base/file', 'texture'],
        ['/abs/rough.exr', '<input> rough/file', 'texture'],
      ],
    );
    assert.throws(() => readMtlxDependencies('<materialx><nodegraph></materialx>'), /unbalanced/);
  });
});

describe('OCIO config', () => {
  test('LUTs searched in every search_path folder, relative to the config', () => {
    const refs = readOcioDependencies(
      `ocio_profile_version: 2
search_path:
  - luts
  - "shared/luts"
colorspaces:
  - !<ColorSpace>
    name: film
    from_scene_reference: !<FileTransform> {src: film.cube, interpolation: linear}
  - !<ColorSpace>
    name: log
    to_reference: !<GroupTransform>
      children:
        - !<FileTransform> {src: "log2lin.spi1d"}
`,
      '/cfg/config.ocio',
    );
    assert.deepEqual(
      refs.map((r) => [r.path, r.owner]),
      [
        ['film.cube', 'colorspace film'],
        ['log2lin.spi1d', 'colorspace log'],
      ],
    );
    assert.deepEqual(refs[0]!.roots, ['/cfg/luts', '/cfg/shared/luts']);
    assert.deepEqual(
      readOcioDependencies('search_path: "a:b"\n  x: !<FileTransform> {src: l.csp}\n', '/c/x.ocio')[0]!.roots,
      ['/c/a', '/c/b'],
    );
  });
});

describe('V-Ray .vrscene', () => {
  test('#include and file parameters of plugins', () => {
    const refs = readVrsceneDependencies(
      enc.encode(`#include "lights.vrscene"
BitmapBuffer bitmapBuffer_wood {
  file="tex/wood.<UDIM>.exr";
  color_space=1;
}
GeomMeshFile proxy1 { file="proxies/tree.vrmesh"; anim_speed=1; }
LightIES ies { ies_file="ies/spot.ies"; }
SettingsOutput out { img_file="render/beauty.exr"; }
`),
      '/v/scene.vrscene',
    );
    assert.deepEqual(
      refs.map((r) => [r.path, r.owner, r.kind]),
      [
        ['lights.vrscene', '#include', 'vrscene'],
        ['tex/wood.<UDIM>.exr', 'BitmapBuffer bitmapBuffer_wood.file', 'texture'],
        ['proxies/tree.vrmesh', 'GeomMeshFile proxy1.file', 'proxy'],
        ['ies/spot.ies', 'LightIES ies.ies_file', 'ies'],
      ],
    );
  });
});

describe('XGen collection', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: XGen's ${VAR} path syntax, not a template
  test('data path folder, map() folders and guide caches with ${PROJECT}/${DESC} resolved', () => {
    const project = join(root, 'xgproj');
    const data = join(project, 'xgen', 'collections', 'hair');
    mkdirSync(join(data, 'desc1', 'paintmaps', 'density'), { recursive: true });
    writeFileSync(join(data, 'desc1', 'paintmaps', 'density', 'density.ptx'), 'ptex');
    mkdirSync(join(project, 'cache'), { recursive: true });
    writeFileSync(join(project, 'cache', 'guides.abc'), 'abc');
    const xgen = join(project, 'scenes', 'shot__hair.xgen');
    mkdirSync(join(project, 'scenes'), { recursive: true });
    writeFileSync(
      xgen,
      `# XGen Collection File
FileVersion 19

Palette
\tname\t\t\thair
\txgDataPath\t\t\${PROJECT}xgen/collections/hair
\txgProjectPath\t\t${project}/

Description
\tname\t\t\tdesc1
\tdensity\t\t$a=map('\${DESC}/paintmaps/density');#3dpaint,5.0\\n$a

SplinePrimitive
\tCacheFileName\t\t\${PROJECT}cache/guides.abc
`,
    );
    const refs = readXgenDependencies(readFileSync(xgen, 'utf8'), xgen);
    assert.deepEqual(
      refs.map((r) => [r.path, r.kind]),
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: XGen's ${VAR} path syntax, not a template
        ['${PROJECT}xgen/collections/hair', 'xgen-data'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: XGen's ${VAR} path syntax, not a template
        ['${DESC}/paintmaps/density', 'xgen-map'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: XGen's ${VAR} path syntax, not a template
        ['${PROJECT}cache/guides.abc', 'xgen-cache'],
      ],
    );
    const collector = new DependencyCollector({ roots: [join(project, 'scenes')] });
    collector.add({ path: 'shot__hair.xgen', owner: 'hairPalette.xfn', kind: 'xgen' });
    followNestedDependencies(collector, join(project, 'scenes', 'shot.ma'));
    assert.deepEqual(
      collector.missing().map((d) => d.path),
      [],
    );
    const found = collector.all().map((d) => [d.kind, d.resolved]);
    assert.ok(found.some(([k, r]) => k === 'xgen-data' && r === data));
    assert.ok(found.some(([k, r]) => k === 'xgen-cache' && r === join(project, 'cache', 'guides.abc')));
  });
});

describe('trust: paths a nested file names outside the scene', () => {
  test('an absolute path and a ../.. path inside a layer are resolved, listed for upload and read like any other', () => {
    // Documents the README's trust note: nothing confines a chain to the scene's folders.
    const outside = join(root, 'trust', 'home', 'private');
    const scene = join(root, 'trust', 'downloads', 'asset');
    mkdirSync(outside, { recursive: true });
    mkdirSync(scene, { recursive: true });
    writeFileSync(join(outside, 'secret.txt'), 'not the scene');
    writeFileSync(join(outside, 'notes.usda'), '#usda 1.0\n(\n    subLayers = [@./more.txt@]\n)\n');
    writeFileSync(join(outside, 'more.txt'), 'read through a layer outside the scene');
    writeFileSync(
      join(scene, 'asset.usda'),
      `#usda 1.0\n(\n    subLayers = [@../../home/private/notes.usda@]\n)\ndef "A" { asset file = @${join(outside, 'secret.txt')}@ }\n`,
    );
    const collector = new DependencyCollector({ roots: [scene] });
    collector.add({ path: 'asset.usda', owner: 'stage.fp', kind: 'usd' });
    const report = followNestedDependencies(collector, join(scene, 'shot.ma'));
    assert.deepEqual(report.read, [join(scene, 'asset.usda'), join(outside, 'notes.usda')]);
    const files = collector.files();
    for (const f of ['secret.txt', 'notes.usda', 'more.txt']) assert.ok(files.includes(join(outside, f)), f);
  });
});

describe('text too long for one string', () => {
  test('a .vrscene past the longest JavaScript string is LIMIT_EXCEEDED, not an error outside the catalogue', () => {
    // Zero-filled pages are not touched unless decoded, so this costs little memory once refused.
    const bytes = Buffer.alloc(constants.MAX_STRING_LENGTH + 1);
    assert.throws(
      () => readVrsceneDependencies(bytes, '/v/huge.vrscene'),
      (e: unknown) => e instanceof AnalyzeError && e.code === 'LIMIT_EXCEEDED',
    );
  });
});
