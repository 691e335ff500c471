import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AnalyzeClarisse } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-clarisse-usd-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('Clarisse: a USD bundle reference hands its layer over; the layer textures join upload.json, a missing one is tip 25009 with its chain', async () => {
  mkdirSync(join(root, 'usd', 'tex'), { recursive: true });
  mkdirSync(join(root, 'ws'));
  writeFileSync(join(root, 'usd', 'tex', 'rock.png'), 'png');
  writeFileSync(
    join(root, 'usd', 'rocks.usda'),
    '#usda 1.0\ndef "Rock" {\n  asset inputs:file = @./tex/rock.png@\n  asset inputs:normal = @./tex/rock_n.png@\n}\n',
  );
  writeFileSync(
    join(root, 'shot.project'),
    `#Isotropix_Serial_Version 1.2

#Isotropix_Clarisse_Version 5
#Isotropix_Clarisse_Project_Version 0.94
Context "project" {
    GeometryBundleUsd {
        name "rocks"
        filename "$PDIR/usd/rocks.usda"
    }
}
`,
  );
  const clarisse = await new AnalyzeClarisse({
    cgFile: join(root, 'shot.project'),
    workspace: join(root, 'ws'),
  }).analyse();
  const locals = clarisse.uploadInfo!.asset.map((a) => a.local.slice(root.length + 1));
  assert.deepEqual(locals, ['usd/rocks.usda', 'usd/tex/rock.png', 'shot.project']);
  const tips = clarisse.tipsInfo!['25009']!;
  assert.equal(tips.length, 1);
  assert.match(
    tips[0]!,
    /^rocks\.usda <\/Rock\.inputs:normal>, named by .*rocks.* in shot\.project: \.\/tex\/rock_n\.png/,
  );
});
