/**
 * Redshift's path override file, from analyzer output to the built command: a
 * Maya scene (written here) whose RedshiftProxyMesh names a proxy holding
 * absolute paths of the artist's machine, analyzed by AnalyzeMaya, staged as
 * a node stages the upload, and prepared by the Maya adapter; a Houdini job
 * staging a proxy. The file is checked against Maxon's documented form
 * (`"source" "target"` per line, named by REDSHIFT_PATHOVERRIDE_FILE in the
 * renderer's environment). Redshift itself cannot run here.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AnalyzeHoudini, AnalyzeMaya } from '@openfarm/analyzers';
import { serverPathToLocal } from '@openfarm/protocol';
import type { RenderJob } from '../src/renderers/adapter.js';
import { houdiniAdapter } from '../src/renderers/houdini.js';
import { mayaAdapter } from '../src/renderers/maya.js';
import {
  parseRedshiftOverrides,
  REDSHIFT_OVERRIDE_FILE,
  redshiftPathOverrideEnv,
} from '../src/renderers/redshift-path-override.js';
import { analyze, mapLikeTheDcc, nodeDirs, stagedAt, stageJob } from './adapter-support.js';
import { UNC_JOB_HOUDINI, writeHoudiniScene } from './foreign-root-scenes.js';

const scenes = mkdtempSync(join(tmpdir(), 'openfarm-redshift-'));
after(() => {
  rmSync(scenes, { recursive: true, force: true });
});

/** What the artist's scene names directly (staged on the node) and what only the proxy names. */
const UNC_TEXTURE = '\\\\fileserver\\projects\\job\\tex\\wood.png';
const DRIVE_TEXTURE = 'D:\\show\\tex\\wall.png';
const IN_PROXY = ['\\\\fileserver\\projects\\job\\tex\\rock.exr', 'D:/show/tex/bark_<UDIM>.tx'];

/** Bytes shaped like a binary container holding the strings between non-text bytes. */
function proxyBytes(strings: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x52, 0x53, 0x00, 0x01, 0xff])];
  for (const s of strings) parts.push(Buffer.from(s, 'utf8'), Buffer.from([0x00, 0xfe, 0x03]));
  return Buffer.concat(parts);
}

function mel(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A Maya ASCII scene with two file textures on foreign roots and a Redshift proxy beside it. */
function writeMayaProxyScene(renderer?: string): string {
  const dir = mkdtempSync(join(scenes, 'maya-'));
  mkdirSync(join(dir, 'cache'));
  writeFileSync(join(dir, 'cache', 'rock.rs'), proxyBytes(IN_PROXY));
  const file = join(dir, 'proxy_shot.ma');
  writeFileSync(
    file,
    [
      '//Maya ASCII 2023 scene',
      '//Codeset: UTF-8',
      'requires maya "2023";',
      ...(renderer === undefined
        ? []
        : ['select -ne :defaultRenderGlobals;', `\tsetAttr ".ren" -type "string" "${renderer}";`]),
      'createNode file -n "wood";',
      `\tsetAttr ".ftn" -type "string" ${mel(UNC_TEXTURE)};`,
      'createNode file -n "wall";',
      `\tsetAttr ".ftn" -type "string" ${mel(DRIVE_TEXTURE)};`,
      'createNode RedshiftProxyMesh -n "rockProxy";',
      '\tsetAttr ".fn" -type "string" "cache/rock.rs";',
      '',
    ].join('\n'),
  );
  return file;
}

/** Analyze, then stage as a node does: every uploaded file at its server path, stand-ins for the foreign ones. */
async function stagedMaya(scene: string, name: string): Promise<RenderJob> {
  const d = nodeDirs(`redshift-${name}`);
  const analyzed = await analyze(AnalyzeMaya, scene, join(d.root, 'analysis'));
  const job = stageJob(analyzed, d, { start: 1, end: 2, step: 1 });
  mkdirSync(join(d.root, 'upload'));
  const analyzer = await new AnalyzeMaya({ cgFile: scene, workspace: join(d.root, 'upload') }).analyse();
  for (const a of analyzer.uploadInfo?.asset ?? []) {
    const to = serverPathToLocal(a.server, job.stagingRoot);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(a.local, to);
  }
  return job;
}

const MAYA = { cgName: 'Maya', version: '2023', executable: '/usr/autodesk/maya2023/bin/Render' };

describe('Redshift path override file', () => {
  test('Maya: a staged .rs proxy gets REDSHIFT_PATHOVERRIDE_FILE mapping each foreign root to its staged folder', async () => {
    const job = await stagedMaya(writeMayaProxyScene(), 'maya');
    const proxy = stagedAt(
      join(dirname(job.task.task_info.input_cg_file ?? ''), 'cache', 'rock.rs'),
      job.stagingRoot,
    );
    assert.deepEqual(readFileSync(proxy), proxyBytes(IN_PROXY), 'the proxy is staged from the upload');
    const cmd = await mayaAdapter.prepare(job, MAYA);
    const file = cmd.env?.REDSHIFT_PATHOVERRIDE_FILE;
    assert.equal(file, join(job.workDir, REDSHIFT_OVERRIDE_FILE));
    assert.equal(cmd.env?.PATH, process.env.PATH, 'the rest of the node environment is kept');
    const text = readFileSync(file, 'utf8');
    // The documented form: one `"source" "target"` pair per line, nothing else.
    for (const line of text.trimEnd().split('\n')) assert.match(line, /^"[^"]+" "[^"]+"$/, line);
    const pairs = parseRedshiftOverrides(text);
    const fileserver = `${job.stagingRoot}/fileserver/`;
    const drive = `${job.stagingRoot}/D/`;
    for (const from of ['//fileserver/', '\\\\fileserver\\']) {
      assert.ok(
        pairs.some(([f, t]) => f === from && t === fileserver),
        `${from} → ${fileserver}`,
      );
    }
    for (const from of ['D:/', 'd:/', 'D:\\']) {
      assert.ok(
        pairs.some(([f, t]) => f === from && t === drive),
        `${from} → ${drive}`,
      );
    }
    // The same roots as the dirmap MEL: the paths the scene names land on their staged copies.
    assert.equal(mapLikeTheDcc(UNC_TEXTURE, pairs), stagedAt(UNC_TEXTURE, job.stagingRoot));
    assert.equal(mapLikeTheDcc(DRIVE_TEXTURE, pairs), stagedAt(DRIVE_TEXTURE, job.stagingRoot));
    // And the paths only the proxy names go under the same staged roots.
    for (const p of IN_PROXY) {
      const mapped = mapLikeTheDcc(p, pairs);
      assert.equal(mapped, stagedAt(p, job.stagingRoot), p);
      assert.ok(mapped.startsWith(`${job.stagingRoot}/`), `${p} → ${mapped}`);
    }
  });

  test('Maya: a Redshift render without a proxy gets the file too; neither gets none', async () => {
    const scene = writeMayaProxyScene('redshift');
    const withRenderer = await stagedMaya(scene, 'maya-renderer');
    rmSync(join(dirname(stagedAt(scene, withRenderer.stagingRoot)), 'cache'), { recursive: true });
    const cmd = await mayaAdapter.prepare(withRenderer, MAYA);
    assert.equal(cmd.args[cmd.args.indexOf('-r') + 1], 'redshift');
    assert.ok(cmd.env?.REDSHIFT_PATHOVERRIDE_FILE, 'the renderer alone asks for the file');

    const plain = await stagedMaya(writeMayaProxyScene(), 'maya-plain');
    rmSync(join(dirname(stagedAt(plain.task.task_info.input_cg_file ?? '', plain.stagingRoot)), 'cache'), {
      recursive: true,
    });
    const none = await mayaAdapter.prepare(plain, MAYA);
    assert.equal(none.env, undefined, 'no Redshift, no proxy: the node environment as it is');
  });

  test("the node's own override file is kept after ours, ours winning for the same source", async () => {
    const job = await stagedMaya(writeMayaProxyScene(), 'maya-own');
    const own = join(job.workDir, '..', 'own-overrides.txt');
    writeFileSync(own, '"//fileserver/" "/mnt/elsewhere/"\n"Q:/library/" "/mnt/library/"\n');
    const env = await redshiftPathOverrideEnv(job, { REDSHIFT_PATHOVERRIDE_FILE: own });
    const pairs = parseRedshiftOverrides(readFileSync(env.REDSHIFT_PATHOVERRIDE_FILE ?? '', 'utf8'));
    assert.deepEqual(
      pairs.filter(([f]) => f === '//fileserver/'),
      [['//fileserver/', `${job.stagingRoot}/fileserver/`]],
    );
    assert.deepEqual(pairs.at(-1), ['Q:/library/', '/mnt/library/']);
    // An unreadable node file does not stop ours.
    const missing = await redshiftPathOverrideEnv(job, {
      REDSHIFT_PATHOVERRIDE_FILE: join(scenes, 'nope.txt'),
    });
    assert.ok(missing.REDSHIFT_PATHOVERRIDE_FILE);
  });

  test('Houdini: a staged proxy puts the file beside HOUDINI_PATHMAP in the ROP render environment', async () => {
    const d = nodeDirs('redshift-houdini');
    const analyzed = await analyze(AnalyzeHoudini, writeHoudiniScene(scenes), join(d.root, 'analysis'));
    const job = stageJob(analyzed, d, { start: 1, end: 3, step: 1 });
    const proxy = stagedAt(`${UNC_JOB_HOUDINI}/geo/rock.rs`, job.stagingRoot);
    writeFileSync(proxy, proxyBytes(IN_PROXY));
    const cmd = await houdiniAdapter.prepare(job, {
      cgName: 'Houdini',
      version: '19.5.303',
      executable: '/opt/hfs19.5/bin/hython',
    });
    assert.ok(cmd.env?.HOUDINI_PATHMAP, 'the Houdini map is still set');
    const pairs = parseRedshiftOverrides(readFileSync(cmd.env?.REDSHIFT_PATHOVERRIDE_FILE ?? '', 'utf8'));
    const houdiniMap = Object.entries(JSON.parse(cmd.env?.HOUDINI_PATHMAP ?? '{}') as Record<string, string>);
    // Every root HOUDINI_PATHMAP maps, Redshift's file maps to the same staged folder.
    for (const [from, to] of houdiniMap)
      assert.ok(
        pairs.some(([f, t]) => f === from && t === to),
        from,
      );
    assert.equal(mapLikeTheDcc(IN_PROXY[0]!, pairs), stagedAt(IN_PROXY[0]!, job.stagingRoot));

    rmSync(proxy);
    const without = await houdiniAdapter.prepare(job, {
      cgName: 'Houdini',
      version: '19.5.303',
      executable: '/opt/hfs19.5/bin/hython',
    });
    assert.equal(without.env?.REDSHIFT_PATHOVERRIDE_FILE, undefined, 'no proxy staged: no override file');
  });
});
