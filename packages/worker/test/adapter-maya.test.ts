/**
 * Maya's command line and path remapping built from what AnalyzeMaya writes
 * for real scenes: a scene saved on Windows (`D:/…` texture and reference), one
 * saved on macOS (`/Users/…`), one with Render Setup layers, and the repo's
 * fixture project (its workspace.mel gives `-proj`). The dirmap MEL is checked
 * against Maya's documented `dirmap` rule (absolute, forward-slash directory
 * prefixes); Maya itself is not installable here.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { AnalyzeMaya } from '@openfarm/analyzers';
import type { InstalledRenderer } from '../src/renderers/adapter.js';
import { mayaAdapter } from '../src/renderers/maya.js';
import {
  analyze,
  CORPUS,
  corpusSkip,
  FIXTURES,
  mapLikeTheDcc,
  nodeDirs,
  stagedAt,
  stageJob,
} from './adapter-support.js';

const MAYA: InstalledRenderer = {
  cgName: 'Maya',
  version: '2023',
  executable: '/usr/autodesk/maya2023/bin/Render',
};
function dirs(name: string) {
  return nodeDirs(`maya-${name}`);
}

/** The `dirmap -mapDirectory FROM TO` pairs of the MEL the adapter wrote. */
function dirmaps(mel: string): [string, string][] {
  return [...mel.matchAll(/^dirmap -mapDirectory "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)";$/gm)].map((m) => [
    m[1]!.replace(/\\(.)/g, '$1'),
    m[2]!.replace(/\\(.)/g, '$1'),
  ]);
}

async function prepared(file: string, frames = { start: 1, end: 1, step: 1 }, layer?: string) {
  const d = dirs(file.replace(/\W/g, '_').slice(-40));
  const analyzed = await analyze(AnalyzeMaya, file, join(d.root, 'analysis'));
  const job = stageJob(analyzed, d, frames, layer);
  const cmd = await mayaAdapter.prepare(job, MAYA);
  const preRender = cmd.args[cmd.args.indexOf('-preRender') + 1] ?? '';
  const melPath = /^source "(.*)"$/.exec(preRender)?.[1] ?? '';
  return { analyzed, job, cmd, mel: readFileSync(melPath, 'utf8'), melPath };
}

describe('Maya adapter from AnalyzeMaya output', () => {
  test('a scene saved on Windows: renderer, frames, camera, size, project, and D:/ paths mapped by dirmap', {
    skip: corpusSkip,
  }, async () => {
    const { analyzed, job, cmd, mel, melPath } = await prepared(join(CORPUS, 'maya', 'adlmaya__cube.ma'));
    assert.ok(
      analyzed.foreignPaths.some((p) => p.startsWith('D:/')),
      'the scene names D:/ paths',
    );
    assert.equal(cmd.executable, MAYA.executable);
    assert.deepEqual(cmd.args, [
      '-r',
      'sw',
      '-s',
      '1',
      '-e',
      '1',
      '-b',
      '1',
      '-rd',
      job.outputDir,
      '-proj',
      dirname(job.scenePath),
      '-cam',
      'perspShape',
      '-x',
      '960',
      '-y',
      '540',
      '-preRender',
      `source "${melPath}"`,
      job.scenePath,
    ]);
    assert.equal(melPath, join(job.workDir, 'openfarm_dirmap.mel'));
    assert.match(mel, /^dirmap -enable true;$/m);
    const maps = dirmaps(mel);
    for (const p of analyzed.foreignPaths) {
      const mapped = mapLikeTheDcc(p, maps);
      assert.equal(mapped, stagedAt(p, job.stagingRoot), p);
      assert.ok(existsSync(mapped), `${p} → ${mapped} is staged`);
    }
    // Maya's dirmap wants absolute forward-slash directories on both sides.
    for (const [from, to] of maps) {
      assert.match(from, /^(?:[A-Za-z]:\/|\/)/);
      assert.ok(to.startsWith('/') && to.endsWith('/') && !to.includes('\\'), to);
    }
    // Textures and references already loaded are rewritten through Maya's own rule.
    assert.match(mel, /ls -type file/);
    assert.match(mel, /dirmap -convertDirectory/);
    assert.match(mel, /file -loadReference/);
  });

  test('a scene saved on macOS: /Users/ paths of the texture, PxrTexture and reference are mapped', {
    skip: corpusSkip,
  }, async () => {
    const { analyzed, job, mel } = await prepared(join(CORPUS, 'maya', 'adlmaya__renderman.ma'), {
      start: 537,
      end: 583,
      step: 2,
    });
    assert.ok(analyzed.foreignPaths.length >= 2);
    assert.ok(analyzed.foreignPaths.every((p) => p.startsWith('/Users/')));
    const maps = dirmaps(mel);
    for (const p of analyzed.foreignPaths) {
      const mapped = mapLikeTheDcc(p, maps);
      assert.equal(mapped, stagedAt(p, job.stagingRoot));
      assert.ok(existsSync(mapped));
    }
  });

  test('a Render Setup layer renders with its own renderer and frames', { skip: corpusSkip }, async () => {
    const { job, cmd } = await prepared(
      join(CORPUS, 'maya', 'adlmaya__layers.ma'),
      { start: 3, end: 9, step: 3 },
      'rs_layerFrameRange1',
    );
    const line = cmd.args.join(' ');
    assert.ok(line.startsWith('-r hw2 -s 3 -e 9 -b 3 '), line);
    assert.match(line, / -rl rs_layerFrameRange1 -cam perspShape /);
    assert.ok(cmd.args.at(-1) === job.scenePath);
  });

  test("the fixture project's workspace.mel root becomes -proj in the staged tree", async () => {
    const scene = join(FIXTURES, 'maya', 'project', 'assets', 'props.ma');
    const { analyzed, job, cmd } = await prepared(scene);
    const project = analyzed.task.task_info.input_project_path ?? '';
    assert.ok(project.endsWith('/maya/project'), project);
    const proj = cmd.args[cmd.args.indexOf('-proj') + 1];
    assert.equal(proj, stagedAt(project, job.stagingRoot));
    assert.ok(job.scenePath.startsWith(`${proj}/`), 'the staged scene sits inside the staged project');
  });
});
