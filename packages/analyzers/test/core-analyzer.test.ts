import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { validateJobFile } from '@openfarm/protocol';
import {
  AnalyzeError,
  analyzeScene,
  analyzerFor,
  DependencyCollector,
  type ReadContext,
  registerAnalyzer,
  SceneAnalyzer,
  type SceneReadResult,
} from '../src/index.js';

/**
 * A minimal format for exercising the base: line 1 "version <v>", then one
 * referenced path per line.
 */
class AnalyzeListing extends SceneAnalyzer<{ lines: number }> {
  protected readonly software = { cgName: 'Listing', cgId: '9999', missingFileTipCode: '10012' };
  protected readScene(ctx: ReadContext): SceneReadResult<{ lines: number }> {
    const [head = '', ...paths] = readFileSync(ctx.cgFile, 'utf8').split('\n');
    const dependencies = new DependencyCollector({ roots: [dirname(ctx.cgFile)] });
    paths.forEach((p, i) => {
      dependencies.add({ path: p, owner: `line${i + 2}`, kind: 'texture' });
    });
    return {
      scene: { lines: paths.length + 1 },
      savedVersion: head.replace(/^version /, ''),
      plugins: { lister: '1.0' },
      sceneInfoRender: { common: { frames: '1-1[1]' } },
      dependencies,
    };
  }
}
registerAnalyzer(['.listing', /\.listing\d+$/], AnalyzeListing);

const root = mkdtempSync(join(tmpdir(), 'openfarm-core-analyzer-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ws = join(root, 'ws');
mkdirSync(ws);
mkdirSync(join(root, 'shot', 'tex'), { recursive: true });
writeFileSync(join(root, 'shot', 'tex', 'a.png'), 'png');
const scene = join(root, 'shot', 'scene.listing');
writeFileSync(scene, 'version 2.5\ntex/a.png\ntex/missing.png\n');

const readJson = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));

describe('SceneAnalyzer', () => {
  test('writes the four job files in a fresh job folder', async () => {
    const a = await new AnalyzeListing({ cgFile: scene, workspace: ws, projectName: 'demo' }).analyse();
    assert.equal(dirname(a.jobDir), ws);
    assert.match(basename(a.jobDir), new RegExp(`^\\d{10}${process.pid}(_\\d+)?$`));
    const task = readJson(a.taskJson) as Record<string, Record<string, unknown>>;
    assert.deepEqual(task, a.taskInfo);
    assert.equal(task.task_info!.cg_id, '9999');
    assert.equal(task.task_info!.project_name, 'demo');
    assert.equal(task.task_info!.platform, '2');
    assert.equal(task.task_info!.input_cg_file, scene.replace(/\\/g, '/'));
    assert.ok(Object.values(task.task_info!).every((v) => typeof v === 'string'));
    assert.deepEqual(task.software_config, {
      cg_name: 'Listing',
      cg_version: '2.5',
      plugins: { lister: '1.0' },
    });
    assert.deepEqual(task.scene_info_render, { common: { frames: '1-1[1]' } });

    const upload = readJson(a.uploadJson) as { asset: { local: string; server: string }[]; scene: unknown[] };
    const texLocal = join(root, 'shot', 'tex', 'a.png').replace(/\\/g, '/');
    assert.deepEqual(
      upload.asset.map((e) => e.local),
      [texLocal, scene.replace(/\\/g, '/')],
    );
    const md5 = createHash('md5').update(readFileSync(scene)).digest('hex');
    assert.deepEqual(upload.scene, [
      { local: scene.replace(/\\/g, '/'), server: upload.asset[1]!.server, hash: md5 },
    ]);

    const tips = readJson(a.tipsJson) as Record<string, string[]>;
    assert.deepEqual(Object.keys(tips), ['10012']);
    assert.match(tips['10012']![0]!, /^line3: tex\/missing\.png \(resolved: .*tex\/missing\.png\)$/);
    const asset = readJson(a.assetJson) as { asset: string[]; missing_file: string[] };
    assert.match(asset.asset[0]!, new RegExp(`^${texLocal}  \\(mtime \\d+\\) size 3$`));
    assert.equal(asset.missing_file.length, 1);
    assert.deepEqual(a.scene, { lines: 4 });
    validateJobFile('task', task);
    validateJobFile('upload', upload);
    validateJobFile('asset', asset);
    validateJobFile('tips', tips);
    assert.deepEqual(
      upload.asset.map((e) => e.server),
      upload.asset.map((e) => (/^[A-Za-z]:/.test(e.local) ? `/${e.local.replace(':', '')}` : e.local)),
    );
  });

  test('a requested version different from the saved one is a warning tip, not a failure', async () => {
    const a = await new AnalyzeListing({ cgFile: scene, workspace: ws, softwareVersion: '3.0' }).analyse();
    assert.equal(a.taskInfo?.software_config.cg_version, '3.0');
    assert.match(a.tipsInfo?.['15013']?.[0] ?? '', /2\.5.*3\.0/);
    const b = await new AnalyzeListing({ cgFile: scene, workspace: ws, softwareVersion: '2.5' }).analyse();
    assert.equal(b.tipsInfo?.['15013'], undefined);
  });

  test('job folders of instances created together are distinct', () => {
    const dirs = new Set(
      Array.from({ length: 5 }, () => new AnalyzeListing({ cgFile: scene, workspace: ws }).jobDir),
    );
    assert.equal(dirs.size, 5);
    for (const d of dirs) assert.ok(existsSync(d));
  });

  test('bad scene or workspace paths are AnalyzeErrors', () => {
    assert.throws(
      () => new AnalyzeListing({ cgFile: join(root, 'nope.listing'), workspace: ws }),
      (e) =>
        e instanceof AnalyzeError && e.code === 'CG_FILE_NOT_FOUND' && e.file === join(root, 'nope.listing'),
    );
    assert.throws(
      () => new AnalyzeListing({ cgFile: scene, workspace: join(root, 'no-ws') }),
      (e) => e instanceof AnalyzeError && e.code === 'WORKSPACE_NOT_FOUND',
    );
  });

  test('the registry picks the analyzer by extension', async () => {
    assert.equal(analyzerFor('X/Y/S.LISTING'), AnalyzeListing);
    assert.equal(analyzerFor('s.listing7'), AnalyzeListing);
    assert.equal(analyzerFor('s.unknownext'), undefined);
    const a = await analyzeScene(scene, { workspace: ws });
    assert.ok(a instanceof AnalyzeListing);
    await assert.rejects(analyzeScene(join(root, 'x.unknownext'), { workspace: ws }), (e) => {
      return e instanceof AnalyzeError && e.code === 'UNSUPPORTED_FORMAT';
    });
  });
});
