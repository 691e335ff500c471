import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type MayaScene, readMayaScene } from '../src/index.js';
import { parseMayaNumber } from '../src/maya/maya-document.js';
import { parseMayaBinary } from '../src/maya/mb-parser.js';
import { pluginNodeType } from '../src/maya/mb-plugin-types.js';
import { maToMb, pluginNodeForm } from './fixtures/maya/ma-to-mb.js';

/**
 * Render Setup in Maya binary files: its nodes are plugin nodes, stored by
 * type id only. With the ids mapped to their type names, a `.mb` scene's
 * layers and overrides read as the same scene saved as `.ma` does. The `.mb`
 * files are written from the `.ma` text by `fixtures/maya/ma-to-mb.ts` (no
 * real `.mb` with Render Setup was available).
 */
const root = mkdtempSync(join(tmpdir(), 'openfarm-mb-render-setup-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The parts of a scene that Render Setup changes. */
function layersOf(scene: MayaScene) {
  return {
    system: scene.renderLayerSystem,
    layers: scene.layers.map((l) => ({
      name: l.name,
      setup: l.renderSetupLayer,
      renderable: l.renderable,
      renderer: l.renderer,
      frames: [l.startFrame, l.endFrame, l.byFrame],
      prefix: l.imageFilePrefix,
      format: l.imageFormat,
      size: [l.width, l.height],
      cameras: l.renderCameras,
      overrides: l.overrides.map((o) => ({ ...o, value: numeric(o.value) })),
    })),
  };
}

/** A .ma stores a bool as `yes`, a .mb as 1.0: the same value. */
function numeric(value: string): number | string {
  return parseMayaNumber(value) ?? value;
}

function bothWays(name: string, ma: string): { fromMa: MayaScene; fromMb: MayaScene } {
  const maFile = join(root, `${name}.ma`);
  const mbFile = join(root, `${name}.mb`);
  writeFileSync(maFile, ma);
  writeFileSync(mbFile, maToMb(ma));
  return { fromMa: readMayaScene(maFile).scene, fromMb: readMayaScene(mbFile).scene };
}

/** Layers with absolute, unique and relative overrides, a disabled collection and a wildcard selector. */
const SCENE = `//Maya ASCII 2024 scene
requires maya "2024";
requires "renderSetup.py" "1.0";
currentUnit -l centimeter -a degree -t pal;
createNode transform -n "shotCam_A";
createNode camera -n "shotCam_AShape" -p "shotCam_A";
	setAttr ".rnd" no;
createNode transform -n "witnessCam";
createNode camera -n "witnessCamShape" -p "witnessCam";
	setAttr ".rnd" no;
createNode transform -n "persp";
createNode camera -n "perspShape" -p "persp";
	setAttr ".rnd" yes;
createNode renderSetup -n "renderSetup";
createNode renderSetupLayer -n "hero";
createNode renderLayer -n "rs_hero";
createNode renderSetupLayer -n "fx";
createNode renderLayer -n "rs_fx";
createNode collection -n "cams";
createNode simpleSelector -n "camsSelector";
	setAttr ".pat" -type "string" "shotCam_* -persp*";
	setAttr ".tf" 2;
createNode absOverride -n "camOn";
	addAttr -ci true -sn "atv" -ln "attrValue" -min 0 -max 1 -at "bool";
	setAttr ".atr" -type "string" "renderable";
	setAttr ".atv" yes;
createNode renderSettingsCollection -n "heroSettings";
createNode simpleSelector -n "heroSettingsSelector";
	setAttr ".ssl" -type "string" "defaultRenderGlobals\\ndefaultResolution";
createNode absUniqueOverride -n "heroStart";
	addAttr -ci true -sn "atv" -ln "attrValue" -at "time";
	setAttr ".atr" -type "string" "startFrame";
	setAttr ".tgName" -type "string" "defaultRenderGlobals";
	setAttr ".atv" 1010;
createNode absUniqueOverride -n "heroWidth";
	addAttr -ci true -sn "atv" -ln "attrValue" -at "long";
	setAttr ".atr" -type "string" "width";
	setAttr ".tgName" -type "string" "defaultResolution";
	setAttr ".atv" 1280;
createNode relUniqueOverride -n "heroEnd";
	addAttr -ci true -sn "mul" -ln "multiply" -at "double";
	addAttr -ci true -sn "ofs" -ln "offset" -at "time";
	setAttr ".atr" -type "string" "endFrame";
	setAttr ".tgName" -type "string" "defaultRenderGlobals";
	setAttr ".mul" 1;
	setAttr ".ofs" 50;
createNode renderSettingsCollection -n "fxSettings";
	setAttr ".sen" no;
createNode absUniqueOverride -n "fxPrefix";
	setAttr ".atr" -type "string" "imageFilePrefix";
	setAttr ".tgName" -type "string" "defaultRenderGlobals";
	addAttr -ci true -sn "atv" -ln "attrValue" -dt "string";
	setAttr ".atv" -type "string" "disabled/<Scene>";
createNode renderLayerManager -n "renderLayerManager";
createNode renderLayer -n "defaultRenderLayer";
	setAttr ".g" yes;
select -ne :time1;
	setAttr ".o" 1001;
select -ne :defaultRenderGlobals;
	setAttr ".ren" -type "string" "arnold";
	setAttr ".an" yes;
	setAttr ".fs" 1001;
	setAttr ".ef" 1100;
select -ne :defaultResolution;
	setAttr ".w" 1920;
	setAttr ".h" 1080;
connectAttr "rs_hero.msg" "hero.lrl";
connectAttr "renderSetup.lit" "hero.pls";
connectAttr "rs_fx.msg" "fx.lrl";
connectAttr "renderSetup.lit" "fx.pls";
connectAttr "renderLayerManager.rlmi[1]" "rs_hero.rlid";
connectAttr "renderLayerManager.rlmi[2]" "rs_fx.rlid";
connectAttr "renderLayerManager.rlmi[0]" "defaultRenderLayer.rlid";
connectAttr "camsSelector.c" "cams.sel";
connectAttr "hero.lit" "cams.pls";
connectAttr "cams.lit" "camOn.pls";
connectAttr "heroSettingsSelector.c" "heroSettings.sel";
connectAttr "hero.lit" "heroSettings.pls";
connectAttr "heroSettings.lit" "heroStart.pls";
connectAttr "heroSettings.lit" "heroWidth.pls";
connectAttr "heroSettings.lit" "heroEnd.pls";
connectAttr "fx.lit" "fxSettings.pls";
connectAttr "fxSettings.lit" "fxPrefix.pls";
`;

test('every Render Setup node type id reads as its type name, and back', () => {
  for (const type of [
    'renderSetupLayer',
    'collection',
    'simpleSelector',
    'absOverride',
    'relUniqueOverride',
  ]) {
    const form = pluginNodeForm(type);
    assert.ok(form !== undefined, type);
    assert.equal(pluginNodeType(form), type);
  }
  assert.equal(pluginNodeForm('renderSetupLayer'), 'X\u0000\u0003r', 'id 0x58000372');
  assert.equal(pluginNodeType('X\u0000\u0003p'), undefined, '0x58000370 (override) is abstract');
  assert.equal(pluginNodeType('\u0000\u0011\\B'), undefined, 'another plugin keeps its id');
});

test('a .mb scene with Render Setup layers, collections, selectors and overrides reads as the same scene saved as .ma', () => {
  const { fromMa, fromMb } = bothWays('layers', SCENE);
  const expected = layersOf(fromMa);
  // The .ma reading itself, so the comparison cannot pass on two empty results.
  const hero = expected.layers.find((l) => l.setup === 'hero')!;
  assert.deepEqual(hero.frames, [1010, 1150, 1]);
  assert.deepEqual(hero.size, [1280, 1080]);
  assert.deepEqual(hero.cameras, ['shotCam_AShape', 'perspShape']);
  assert.equal(
    expected.layers.find((l) => l.setup === 'fx')!.prefix,
    '',
    'a disabled collection changes nothing',
  );
  assert.deepEqual(layersOf(fromMb), expected);
  assert.equal(
    parseMayaBinary(readFileSync(join(root, 'layers.mb'))).nodes.get('heroEnd')?.type,
    'relUniqueOverride',
  );
});

const corpus = fileURLToPath(new URL('../../../../shared/corpus/maya/adlmaya__layers.ma', import.meta.url));
test('the real Render Setup scene (layers.ma from the corpus), written as .mb, gives the same layers, frames, cameras and overrides', {
  skip: existsSync(corpus) ? false : 'shared corpus not present',
}, () => {
  const { fromMa, fromMb } = bothWays('corpus-layers', readFileSync(corpus, 'utf8'));
  const expected = layersOf(fromMa);
  assert.equal(expected.system, 'renderSetup');
  assert.equal(expected.layers.length, 6);
  assert.deepEqual(layersOf(fromMb), expected);
});
