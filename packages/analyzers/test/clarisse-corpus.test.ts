import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeClarisse, readClarisseProject } from '../src/index.js';

/** Projects saved by Clarisse itself, beside the repository; the facts asserted are those of its SOURCES.md. */
const corpus = fileURLToPath(new URL('../../../../shared/corpus/clarisse', import.meta.url));
const skip = existsSync(corpus) ? false : 'shared corpus not present';
const workspace = mkdtempSync(join(tmpdir(), 'openfarm-clarisse-corpus-'));
after(() => rmSync(workspace, { recursive: true, force: true }));

const CASES = [
  ['r2c__kubix_demo.project', 'KubixLayer', 'kubix_layer', 'kubix_renderer'],
  ['r2c__spherix_demo.project', 'SpherixLayer', 'spherix_layer', 'spherix_renderer'],
] as const;

describe('Clarisse corpus', { skip }, () => {
  for (const [name, layerClass, layerName, renderer] of CASES) {
    test(`${name}: Clarisse 4, image 0-50 with its embedded ${layerClass}, one camera, no file references`, async () => {
      const file = join(corpus, name);
      const project = readClarisseProject(readFileSync(file), file);
      assert.deepEqual(
        [project.serialVersion, project.clarisseVersion, project.projectVersion],
        ['1.2', '4', '0.94'],
      );
      assert.deepEqual(
        project.contexts.map((c) => c.path),
        ['project://scene'],
      );
      assert.equal(project.images.length, 1);
      const image = project.images[0]!;
      assert.equal(image.path, 'project://scene/image');
      assert.deepEqual([image.firstFrame, image.lastFrame], [0, 50]);
      assert.equal(image.layers.length, 1);
      const layer = image.layers[0]!;
      assert.equal(layer.className, layerClass);
      assert.equal(layer.path, `project://scene/image.${layerName}`);
      assert.deepEqual([layer.firstFrame, layer.lastFrame], [0, 50]);
      assert.equal(layer.camera, 'project://scene/camera');
      assert.equal(layer.renderer, `project://scene/${renderer}`);
      assert.deepEqual(project.cameras, ['project://scene/camera']);
      assert.equal(
        project.objects.find((o) => o.path === 'project://scene/camera')?.className,
        'CameraPerspective',
      );
      // The playblast's `$CTEMP\\blast_#####` lives in #preferences, not in the scene.
      assert.deepEqual(project.files, []);

      const analyzer = await new AnalyzeClarisse({ cgFile: file, workspace }).analyse();
      assert.deepEqual(analyzer.tipsInfo, {});
      assert.deepEqual(
        analyzer.uploadInfo!.asset.map((a) => a.local),
        [file.replace(/\\/g, '/')],
      );
      const imageNode = (
        analyzer.taskInfo!.scene_info_render as {
          image_node: { frames: string; layers: { name: string; frames: string }[] }[];
        }
      ).image_node;
      assert.equal(imageNode[0]?.frames, '0-50[1]');
      assert.deepEqual(
        imageNode[0]?.layers.map((l) => [l.name, l.frames]),
        [[`project://scene/image.${layerName}`, '0-50[1]']],
      );
    });
  }
});
