import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AnalyzeHoudini, analyzerFor, type HoudiniScene, readHoudiniScene } from '../src/index.js';
import { buildHip, buildHipMarkers } from './fixtures/houdini/hip-builder.js';
import { SHOT_SCENE } from './fixtures/houdini/shot-scene.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-houdini-'));
after(() => rmSync(root, { recursive: true, force: true }));
const shot = join(root, 'shot');
const hip = join(shot, 'scene.hip');
const hipnc = join(shot, 'scene_nc.hipnc');
const hiplc = join(shot, 'scene_lc.hiplc');
const workspace = join(root, 'workspace');

function touch(...parts: string[]): string {
  const p = join(shot, ...parts);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, 'x');
  return p;
}

mkdirSync(workspace, { recursive: true });
mkdirSync(shot, { recursive: true });
writeFileSync(hip, buildHip(SHOT_SCENE));
writeFileSync(hipnc, buildHipMarkers(SHOT_SCENE, 'NC'));
writeFileSync(hiplc, buildHipMarkers(SHOT_SCENE, 'LC'));
const sequence = ['1001', '1002', '1003'].map((f) => touch('geo', `sh010.${f}.bgeo.sc`));
const texture = touch('tex', 'wood.png');
const alembic = touch('abc', 'anim.abc');
const tiles = ['1001', '1002'].map((t) => touch('tex', `rust.${t}.exr`));
const caches = ['1001', '1002'].map((f) => touch('cache', `cache.${f}.bgeo.sc`));

function read(file: string): HoudiniScene {
  return readHoudiniScene(readFileSync(file), { hipFile: file, env: {} });
}

describe('reading the fixture shot', () => {
  const scene = read(hip);

  test('version, range, fps and variables of the file as opened now', () => {
    assert.equal(scene.container, 'cpio');
    assert.equal(scene.version, '20.5.410');
    assert.deepEqual([scene.frameStart, scene.frameEnd, scene.fps], [1001, 1100, 25]);
    assert.equal(scene.variables.get('HIP'), shot.replace(/\\/g, '/'));
    assert.equal(scene.variables.get('HIPNAME'), 'scene');
    assert.equal(scene.variables.get('JOB'), '/studio/job');
    assert.equal(scene.savedVariables.get('HIP'), '/studio/old/place');
  });

  test('asset libraries beyond the Houdini installation', () => {
    assert.deepEqual(scene.assetLibraries, [
      { path: '/studio/tools/otls/scatter_rocks.hda', operators: ['studio::Sop/scatter_rocks::1.0'] },
    ]);
  });

  test('$JOB comes from the environment before the saved value', () => {
    const withJob = readHoudiniScene(readFileSync(hip), { hipFile: hip, env: { JOB: '/mnt/job' } });
    assert.equal(
      withJob.rops.find((r) => r.node === '/out/geometry1')?.output,
      '/mnt/job/cache/geometry1.$F4.bgeo.sc',
    );
  });

  test('context is decided by the parent network: CHOP geometry nodes are not ROPs', () => {
    assert.equal(scene.nodes.get('/ch/chopnet1/geometry1')?.context, 'CHOP');
    assert.equal(scene.nodes.get('/obj/geo1/motion/geometry1')?.context, 'CHOP');
    assert.equal(scene.nodes.get('/out/geometry1')?.context, 'ROP');
    const ropNodes = scene.rops.map((r) => r.node).sort();
    assert.deepEqual(ropNodes, [
      '/obj/geo1/cache',
      '/obj/geo1/write',
      '/out/abc_out',
      '/out/all',
      '/out/geometry1',
      '/out/mantra1',
      '/out/preview',
      '/out/sim',
    ]);
  });

  test('Mantra: frames from $FSTART/$FEND, not the stale cache; output, camera, override', () => {
    const mantra = scene.rops.find((r) => r.node === '/out/mantra1')!;
    assert.deepEqual(mantra.frames, { start: 1001, end: 1100, step: 1 });
    assert.deepEqual(mantra.cachedFrames, [0, 0, 1]);
    assert.equal(mantra.output, `${shot.replace(/\\/g, '/')}/render/scene.mantra1.$F4.exr`);
    assert.equal(mantra.camera, '/obj/cam1');
    assert.deepEqual(mantra.resolution, { width: 1280, height: 720, source: 'override' });
    assert.equal(mantra.renderer, 'mantra');
  });

  test('geometry ROP, bypassed OpenGL ROP with the camera resolution, merge inputs, HQueue sim', () => {
    const geo = scene.rops.find((r) => r.node === '/out/geometry1')!;
    assert.equal(geo.role, 'cache');
    assert.deepEqual(geo.frames, { start: 1, end: 10, step: 2 });
    const preview = scene.rops.find((r) => r.node === '/out/preview')!;
    assert.equal(preview.bypassed, true);
    assert.deepEqual(preview.resolution, { width: 1920, height: 1080, source: 'camera' });
    assert.deepEqual(scene.rops.find((r) => r.node === '/out/all')?.dependsOn, [
      '/out/geometry1',
      '/out/mantra1',
    ]);
    assert.deepEqual(scene.distributedSims, [
      {
        node: '/out/sim',
        outputDriver: '/out/geometry1',
        simControlName: '/obj/dopnet1/distribute',
        outputFile: '/studio/job/cache/geometry1.$F4.bgeo.sc',
        numSlices: 4,
        sliceType: 'volume',
      },
    ]);
  });

  test('file references: inputs found, missing, builtin, unresolved; outputs are not inputs', () => {
    const byOwner = new Map(scene.files.map((f) => [`${f.node}.${f.parm}`, f]));
    const h = shot.replace(/\\/g, '/');
    assert.deepEqual(byOwner.get('/obj/geo1/anim.file'), {
      node: '/obj/geo1/anim',
      parm: 'file',
      raw: '$HIP/geo/$SHOT.$F4.bgeo.sc',
      status: 'file',
      path: `${h}/geo/sh010.$F4.bgeo.sc`,
      sequence: true,
    });
    assert.equal(byOwner.get('/obj/geo1/rock.file')?.path, '/studio/job/assets/rock model.obj');
    assert.equal(byOwner.get('/obj/geo1/defaults.file')?.status, 'builtin');
    assert.equal(byOwner.get('/obj/geo1/env.filename')?.status, 'builtin');
    assert.equal(byOwner.get('/obj/geo1/shader.matcap')?.status, 'builtin');
    assert.equal(byOwner.get('/obj/geo1/shader.basecolor_texture')?.path, `${h}/tex/wood.png`);
    assert.deepEqual(
      [
        byOwner.get('/obj/geo1/shader.rough_texture')?.status,
        byOwner.get('/obj/geo1/shader.rough_texture')?.reason,
      ],
      ['unresolved', 'backtick expression'],
    );
    // The file cache reads its own output back.
    assert.equal(byOwner.get('/obj/geo1/cache.file')?.path, `${h}/cache/cache.$F4.bgeo.sc`);
    for (const output of [
      '/out/mantra1.vm_dcmfilename',
      '/obj/geo1/write.sopoutput',
      '/out/preview.picture',
    ]) {
      assert.equal(byOwner.has(output), false, output);
    }
    // `alembic` is the reader SOP in a geometry network and the writer in /out.
    assert.equal(byOwner.get('/obj/geo1/abc_in.fileName')?.path, `${h}/abc/anim.abc`);
    assert.equal(byOwner.has('/out/abc_out.filename'), false);
    assert.equal(scene.rops.find((r) => r.node === '/out/abc_out')?.output, `${h}/abc/abc_out.abc`);
    assert.equal(byOwner.get('/obj/geo1/shader.metallic_texture')?.path, `${h}/tex/rust.<UDIM>.exr`);
    assert.equal(scene.files.length, 10);
  });

  test('Apprentice and Indie files read exactly like the commercial one', () => {
    for (const file of [hipnc, hiplc]) {
      const other = read(file);
      assert.equal(other.container, file === hipnc ? 'apprentice' : 'indie');
      const rename = (s: string) => s.replace(/scene_(nc|lc)/g, 'scene');
      assert.deepEqual(JSON.parse(rename(JSON.stringify(other.rops))), scene.rops);
      assert.deepEqual(other.files, scene.files);
      assert.deepEqual([...other.nodes.keys()], [...scene.nodes.keys()]);
    }
  });
});

describe('AnalyzeHoudini', () => {
  test('is registered for .hip, .hipnc and .hiplc', () => {
    for (const f of ['a.hip', 'B.HIPNC', 'c.hiplc']) assert.equal(analyzerFor(f), AnalyzeHoudini);
  });

  test('writes task, asset, tips and upload JSON that agree with each other', async () => {
    const analyzer = await new AnalyzeHoudini({
      cgFile: hip,
      workspace,
      softwareVersion: '20.0.506',
    }).analyse();
    const task = JSON.parse(readFileSync(analyzer.taskJson, 'utf8'));
    const tips = JSON.parse(readFileSync(analyzer.tipsJson, 'utf8'));
    const upload = JSON.parse(readFileSync(analyzer.uploadJson, 'utf8'));
    const asset = JSON.parse(readFileSync(analyzer.assetJson, 'utf8'));
    assert.deepEqual(analyzer.taskInfo, task);
    assert.equal(task.task_info.cg_id, '2004');
    assert.equal(task.software_config.cg_name, 'Houdini');
    assert.equal(task.software_config.cg_version, '20.0.506');
    assert.deepEqual(task.scene_info_render.rop_node, [
      {
        node: '/out/mantra1',
        frames: '1001-1100[1]',
        option: '-1',
        render: '1',
        width: '1280',
        height: '720',
      },
      {
        node: '/out/preview',
        frames: '1001-1100[1]',
        option: '-1',
        render: '0',
        width: '1920',
        height: '1080',
      },
    ]);
    assert.deepEqual(
      task.scene_info_render.geo_node.map((g: { node: string; frames: string; option: string }) => [
        g.node,
        g.frames,
        g.option,
      ]),
      [
        ['/obj/geo1/cache', '1001-1003[1]', '0'],
        ['/obj/geo1/write', '1001-1010[1]', '0'],
        ['/out/abc_out', '1001-1100[1]', '0'],
        ['/out/geometry1', '1-10[2]', '0'],
      ],
    );
    assert.deepEqual(task.scene_info_render.distributedsim_node, [
      {
        node: '/out/sim',
        output_driver: '/out/geometry1',
        simControlName: '/obj/dopnet1/distribute',
        output_file: '/studio/job/cache/geometry1.$F4.bgeo.sc',
        num_slices: '4',
        sliceType: 'volume',
        option: '1',
        frames: '1-24[1]',
        render: '1',
      },
    ]);
    // The missing model is tip 50001 with node, parm and path; the saved/requested versions differ (15013).
    assert.equal(tips['50001'].length, 1);
    assert.match(tips['50001'][0], /\/obj\/geo1\/rock\.file: \/studio\/job\/assets\/rock model\.obj/);
    assert.ok(tips['15013']);
    const locals = upload.asset.map((a: { local: string }) => a.local);
    const expected = [...sequence, texture, ...tiles, alembic, ...caches, hip].map((p) =>
      p.replace(/\\/g, '/'),
    );
    assert.deepEqual([...locals].sort(), [...expected].sort());
    assert.equal(locals.at(-1), hip.replace(/\\/g, '/'));
    for (const entry of asset.asset as string[])
      assert.ok(locals.includes(entry.split('  (mtime')[0]), entry);
    assert.equal(upload.scene[0].hash.length, 32);
  });
});
