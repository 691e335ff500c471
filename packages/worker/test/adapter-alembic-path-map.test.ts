/**
 * Arnold's path map for the absolute paths inside Alembic archives, from
 * analyzer output to the built command: a Maya scene (written here) whose
 * AlembicNode names an archive holding a drive path of the artist's machine,
 * analyzed by AnalyzeMaya, staged as a node stages the upload and prepared by
 * the Maya adapter; the Houdini scene with an Alembic SOP on `/Volumes`. The
 * file is checked against Arnold's documented form (JSON keyed by OS, source
 * prefix → target prefix, named by ARNOLD_PATHMAP). Arnold cannot run here.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AnalyzeHoudini, AnalyzeMaya } from '@openfarm/analyzers';
import { serverPathToLocal } from '@openfarm/protocol';
import {
  ARNOLD_PATHMAP_FILE,
  arnoldPathmapEnv,
  arnoldPlatformKey,
} from '../src/renderers/arnold-path-map.js';
import { houdiniAdapter } from '../src/renderers/houdini.js';
import { mayaAdapter } from '../src/renderers/maya.js';
import { analyze, mapLikeTheDcc, nodeDirs, stagedAt, stageJob } from './adapter-support.js';
import { MAC_CACHE, writeHoudiniScene } from './foreign-root-scenes.js';

const scenes = mkdtempSync(join(tmpdir(), 'openfarm-alembic-map-'));
after(() => {
  rmSync(scenes, { recursive: true, force: true });
});

const DRIVE_TEXTURE = 'D:\\show\\tex\\wall.png';
const IN_ARCHIVE = 'D:/show/tex/bark_<UDIM>.tx';

/** Bytes shaped like an Ogawa archive holding the strings between non-text bytes. */
function archiveBytes(strings: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from('Ogawa\xff\x00\x01', 'latin1')];
  for (const s of strings) parts.push(Buffer.from(s, 'utf8'), Buffer.from([0x00, 0xfe, 0x03]));
  return Buffer.concat(parts);
}

/** A Maya scene whose AlembicNode reads an archive holding `inArchive`; with a drive-path file texture unless `wall` is false. */
function writeMayaAlembicScene(
  renderer: string,
  inArchive: readonly string[] = [IN_ARCHIVE],
  wall = true,
): string {
  const dir = mkdtempSync(join(scenes, 'maya-'));
  mkdirSync(join(dir, 'cache'));
  writeFileSync(join(dir, 'cache', 'tree.abc'), archiveBytes(inArchive));
  const file = join(dir, 'alembic_shot.ma');
  writeFileSync(
    file,
    [
      '//Maya ASCII 2023 scene',
      '//Codeset: UTF-8',
      'requires maya "2023";',
      'select -ne :defaultRenderGlobals;',
      `\tsetAttr ".ren" -type "string" "${renderer}";`,
      ...(wall
        ? [
            'createNode file -n "wall";',
            `\tsetAttr ".ftn" -type "string" "${DRIVE_TEXTURE.replace(/\\/g, '\\\\')}";`,
          ]
        : []),
      'createNode AlembicNode -n "tree_abc";',
      '\tsetAttr ".fn" -type "string" "cache/tree.abc";',
      '',
    ].join('\n'),
  );
  return file;
}

/** Copy each uploaded file to where the node stages it, as the node's staging does. */
function stageUploaded(
  uploaded: ReadonlyArray<{ local: string; server: string }>,
  stagingRoot: string,
): void {
  for (const a of uploaded) {
    const to = serverPathToLocal(a.server, stagingRoot);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(a.local, to);
  }
}

const MAYA = { cgName: 'Maya', version: '2023', executable: '/usr/autodesk/maya2023/bin/Render' };

describe("Arnold's path map for paths inside Alembic archives", () => {
  test('Maya: a staged Alembic archive gets ARNOLD_PATHMAP mapping the foreign roots to the staged tree', async () => {
    const scene = writeMayaAlembicScene('arnold');
    const d = nodeDirs('alembic-maya');
    const analyzed = await analyze(AnalyzeMaya, scene, join(d.root, 'analysis'));
    const job = stageJob(analyzed, d, { start: 1, end: 1, step: 1 });
    mkdirSync(join(d.root, 'upload'));
    const analyzer = await new AnalyzeMaya({ cgFile: scene, workspace: join(d.root, 'upload') }).analyse();
    const uploaded = analyzer.uploadInfo?.asset ?? [];
    assert.ok(
      uploaded.some((a) => a.local.endsWith('tree.abc')),
      'the archive is uploaded',
    );
    stageUploaded(uploaded, job.stagingRoot);
    const cmd = await mayaAdapter.prepare(job, MAYA);
    assert.equal(cmd.args[cmd.args.indexOf('-r') + 1], 'arnold');
    const file = cmd.env?.ARNOLD_PATHMAP;
    assert.equal(file, join(job.workDir, ARNOLD_PATHMAP_FILE));
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(json), [arnoldPlatformKey()]);
    const pairs = Object.entries(json[arnoldPlatformKey()] ?? {});
    assert.ok(pairs.some(([f, t]) => f === 'D:/' && t === `${job.stagingRoot}/D/`));
    // The archive's own path and the scene's texture land in the same staged root.
    assert.equal(mapLikeTheDcc(IN_ARCHIVE, pairs), stagedAt(IN_ARCHIVE, job.stagingRoot));
    assert.equal(mapLikeTheDcc(DRIVE_TEXTURE, pairs), stagedAt(DRIVE_TEXTURE, job.stagingRoot));
    assert.equal(cmd.env?.REDSHIFT_PATHOVERRIDE_FILE, undefined, 'no Redshift involved');
  });

  test("Maya: a texture the archive names by an absolute path of the artist's machine is uploaded, staged, and where the map points", async () => {
    const d = nodeDirs('alembic-abs');
    // Under another top folder than the one the node stages in (a root it shares is not mapped: path-map.ts).
    const top = (p: string) => p.split('/')[1];
    const base = ['/tmp', '/var/tmp'].find((b) => top(b) !== top(d.stagingRoot));
    assert.ok(base !== undefined);
    const library = mkdtempSync(join(base, 'openfarm-library-'));
    after(() => rmSync(library, { recursive: true, force: true }));
    const texture = join(library, 'tex', 'bark_here.tx');
    mkdirSync(dirname(texture), { recursive: true });
    writeFileSync(texture, 'bark texture bytes');
    const scene = writeMayaAlembicScene('arnold', [texture], false);
    mkdirSync(join(d.root, 'upload'));
    const analyzer = await new AnalyzeMaya({ cgFile: scene, workspace: join(d.root, 'upload') }).analyse();
    const uploaded = analyzer.uploadInfo?.asset ?? [];
    assert.ok(
      uploaded.some((a) => a.local === texture),
      `the texture is uploaded: ${JSON.stringify(uploaded)}`,
    );
    assert.deepEqual(Object.values(analyzer.tipsInfo ?? {}).flat(), [], 'nothing to warn about');
    const analyzed = await analyze(AnalyzeMaya, scene, join(d.root, 'analysis'));
    const job = stageJob(analyzed, d, { start: 1, end: 1, step: 1 });
    stageUploaded(uploaded, job.stagingRoot);
    const cmd = await mayaAdapter.prepare(job, MAYA);
    const json = JSON.parse(readFileSync(cmd.env?.ARNOLD_PATHMAP ?? '', 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    const pairs = Object.entries(json[arnoldPlatformKey()] ?? {});
    const mapped = mapLikeTheDcc(texture, pairs);
    assert.equal(mapped, stagedAt(texture, job.stagingRoot));
    assert.equal(readFileSync(mapped, 'utf8'), 'bark texture bytes', 'the staged copy is where Arnold looks');
  });

  test("the node's own ARNOLD_PATHMAP is kept: other OSes as they are, ours winning for the same source", async () => {
    const d = nodeDirs('alembic-own');
    const analyzed = await analyze(AnalyzeMaya, writeMayaAlembicScene('arnold'), join(d.root, 'analysis'));
    const job = stageJob(analyzed, d, { start: 1, end: 1, step: 1 });
    const own = join(d.root, 'own-pathmap.json');
    const key = arnoldPlatformKey();
    writeFileSync(
      own,
      JSON.stringify({ windows: { '/mnt/': 'M:/' }, [key]: { 'D:/': '/elsewhere/', 'Q:/': '/mnt/q/' } }),
    );
    const env = await arnoldPathmapEnv(job, { ARNOLD_PATHMAP: own });
    const json = JSON.parse(readFileSync(env.ARNOLD_PATHMAP ?? '', 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    assert.deepEqual(json.windows, { '/mnt/': 'M:/' });
    assert.equal(json[key]?.['D:/'], `${job.stagingRoot}/D/`);
    assert.equal(json[key]?.['Q:/'], '/mnt/q/');
  });

  test('Houdini: a staged Alembic cache puts ARNOLD_PATHMAP with the HOUDINI_PATHMAP roots in the ROP environment', async () => {
    const d = nodeDirs('alembic-houdini');
    const analyzed = await analyze(AnalyzeHoudini, writeHoudiniScene(scenes), join(d.root, 'analysis'));
    assert.ok(analyzed.foreignPaths.includes(MAC_CACHE));
    const job = stageJob(analyzed, d, { start: 1, end: 3, step: 1 });
    const cmd = await houdiniAdapter.prepare(job, {
      cgName: 'Houdini',
      version: '19.5.303',
      executable: '/opt/hfs19.5/bin/hython',
    });
    const houdiniMap = JSON.parse(cmd.env?.HOUDINI_PATHMAP ?? '{}') as Record<string, string>;
    const json = JSON.parse(readFileSync(cmd.env?.ARNOLD_PATHMAP ?? '', 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    assert.deepEqual(json[arnoldPlatformKey()], houdiniMap);
    assert.equal(mapLikeTheDcc(MAC_CACHE, Object.entries(houdiniMap)), stagedAt(MAC_CACHE, job.stagingRoot));

    rmSync(stagedAt(MAC_CACHE, job.stagingRoot));
    const without = await houdiniAdapter.prepare(job, {
      cgName: 'Houdini',
      version: '19.5.303',
      executable: '/opt/hfs19.5/bin/hython',
    });
    assert.equal(without.env?.ARNOLD_PATHMAP, undefined, 'no archive and no Arnold: no map');
  });
});
