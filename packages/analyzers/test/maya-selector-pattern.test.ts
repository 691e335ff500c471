import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AnalyzeMaya } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-rs-pattern-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A Render Setup layer whose camera collection selects by wildcard pattern, not by a static list. */
const SCENE = `//Maya ASCII 2024 scene
requires maya "2024";
requires "renderSetup.py" "1.0";
currentUnit -l centimeter -a degree -t film;
createNode transform -n "shotCam_A";
createNode camera -n "shotCam_AShape" -p "shotCam_A";
	setAttr ".rnd" no;
createNode transform -n "shotCam_B";
createNode camera -n "shotCam_BShape" -p "shotCam_B";
	setAttr ".rnd" no;
createNode transform -n "witnessCam";
createNode camera -n "witnessCamShape" -p "witnessCam";
	setAttr ".rnd" no;
createNode renderSetup -n "renderSetup";
createNode renderSetupLayer -n "hero";
createNode renderLayer -n "rs_hero";
createNode collection -n "cams";
createNode simpleSelector -n "camsSelector";
	setAttr ".pat" -type "string" "shotCam_* -shotCam_B*";
	setAttr ".tf" 2;
createNode absOverride -n "renderable1";
	addAttr -ci true -sn "atv" -ln "attrValue" -min 0 -max 1 -at "bool";
	setAttr ".atr" -type "string" "renderable";
	setAttr ".atv" yes;
createNode renderLayerManager -n "renderLayerManager";
	setAttr -s 2 ".rlmi[1]"  1;
createNode renderLayer -n "defaultRenderLayer";
select -ne :defaultRenderGlobals;
	setAttr ".ren" -type "string" "arnold";
connectAttr "rs_hero.msg" "hero.lrl";
connectAttr "renderSetup.lit" "hero.pls";
connectAttr "renderLayerManager.rlmi[1]" "rs_hero.rlid";
connectAttr "renderLayerManager.rlmi[0]" "defaultRenderLayer.rlid";
connectAttr "camsSelector.c" "cams.sel";
connectAttr "hero.lit" "cams.pls";
connectAttr "cams.lit" "renderable1.pls";
`;

test('a Render Setup selector pattern (wildcards, an exclusion) picks the cameras its override makes renderable', async () => {
  mkdirSync(join(root, 'ws'));
  writeFileSync(join(root, 'shot.ma'), SCENE);
  const maya = await new AnalyzeMaya({
    cgFile: join(root, 'shot.ma'),
    workspace: join(root, 'ws'),
  }).analyse();
  const hero = maya.scene!.layers.find((l) => l.renderSetupLayer === 'hero');
  assert.ok(hero, `layers: ${maya.scene!.layers.map((l) => l.name).join(', ')}`);
  assert.deepEqual(hero.renderCameras, ['shotCam_AShape']);
});
