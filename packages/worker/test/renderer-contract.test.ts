/**
 * The contract every renderer adapter must meet: it advertises itself only when
 * its executable is really there (with a version read from the install), and
 * turns a task.json plus a frame range into a command line that names the
 * scene, the frames and the output folder.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  adapterFor,
  blenderAdapter,
  cinema4dAdapter,
  clarisseAdapter,
  houdiniAdapter,
  type InstalledRenderer,
  katanaAdapter,
  mayaAdapter,
  RENDERER_ADAPTERS,
  type RendererAdapter,
  type RenderJob,
  type TaskJson,
} from '@openfarm/worker';

const root = mkdtempSync(join(tmpdir(), 'openfarm-contract-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** An executable script at `path` that prints `stdout`. */
function fakeExecutable(path: string, stdout = ''): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' '${stdout}'\n`);
  chmodSync(path, 0o755);
  return path;
}

const TASKS: Readonly<Record<string, { task: TaskJson; scene: string; expect: RegExp[] }>> = {
  Blender: {
    task: {
      task_info: {},
      software_config: { cg_name: 'Blender', cg_version: '3.4' },
      scene_info: { common: { Render_Format: 'OPEN_EXR' } },
    },
    scene: '/stage/D/p/shot.blend',
    expect: [/^-b --factory-startup \/stage\/D\/p\/shot.blend /, / -F OPEN_EXR /, / -s 5 -e 9 -j 2 -a$/],
  },
  Maya: {
    task: {
      task_info: { input_project_path: 'D:\\p' },
      software_config: { cg_name: 'Maya', cg_version: '2024' },
      scene_info_render: {
        defaultRenderLayer: {
          renderable: '1',
          common: { renderer: 'arnold', width: '640', height: '360', render_camera: ['persp'] },
        },
      },
    },
    scene: '/stage/D/p/shot.ma',
    expect: [
      /^-r arnold -s 5 -e 9 -b 2 -rd \/out -proj \/stage\/D\/p -cam persp -x 640 -y 360 -preRender source "[^"]*openfarm_dirmap\.mel" /,
      / \/stage\/D\/p\/shot.ma$/,
    ],
  },
  Houdini: {
    task: {
      task_info: {},
      software_config: { cg_name: 'Houdini', cg_version: '19.5.303' },
      scene_info_render: { rop_node: [{ node: '/out/mantra1', frames: '1-10[1]', render: '1' }] },
    },
    scene: '/stage/D/p/shot.hip',
    expect: [/openfarm_render_rop\.py \/stage\/D\/p\/shot.hip \/out\/mantra1 5 9 2 \/out$/],
  },
  Clarisse: {
    task: {
      task_info: {},
      software_config: { cg_name: 'Clarisse', cg_version: 'clarisse_ifx_4.0_sp3' },
      scene_info_render: {
        image_node: [
          {
            name: 'project://scene/image',
            renderable: '0',
            layers: [{ name: 'project://scene/image.layer1', renderable: '1', format: 'exr32' }],
          },
        ],
      },
    },
    scene: '/stage/D/p/shot.project',
    expect: [
      /^\/stage\/D\/p\/shot.project -script \S+openfarm_clarisse_remap\.py -image project:\/\/scene\/image.layer1 -frames_list 5:9%2 -output \/out\/layer1 -format exr32$/,
    ],
  },
  Katana: {
    task: {
      task_info: {},
      software_config: { cg_name: 'Katana', cg_version: '3.2v1' },
      scene_info: { rendernodes: { Render: { renderable: '1', frames: '1-10[1]', aov: {} } } },
    },
    scene: '/stage/D/p/shot.katana',
    expect: [/^--batch --katana-file=\/stage\/D\/p\/shot.katana --render-node=Render -t 5,7,9$/],
  },
  'CINEMA 4D': {
    task: { task_info: {}, software_config: { cg_name: 'CINEMA 4D', cg_version: '2024' } },
    scene: '/stage/D/p/shot.c4d',
    expect: [/^-nogui -render \/stage\/D\/p\/shot.c4d -frame 5 9 2 -oimage \/out\/shot -threads 3$/],
  },
};

describe('renderer adapters', () => {
  test('one adapter per supported DCC, found by its task.json cg_name', () => {
    assert.deepEqual(
      RENDERER_ADAPTERS.map((a) => a.cgName),
      ['Blender', 'Maya', 'Houdini', 'Clarisse', 'Katana', 'CINEMA 4D'],
    );
    assert.equal(adapterFor('cinema 4d'), cinema4dAdapter);
    assert.equal(adapterFor('3ds Max'), undefined);
  });

  test('a node without the DCC does not advertise it', async () => {
    const bare = { PATH: join(root, 'empty-path') };
    for (const a of RENDERER_ADAPTERS) assert.equal(await a.detect(bare), undefined, a.cgName);
  });

  test('installed DCCs are found with the version their install carries', async () => {
    const maya = fakeExecutable(join(root, 'autodesk', 'maya2024', 'bin', 'Render'));
    assert.deepEqual(await mayaAdapter.detect({ PATH: '', MAYA_LOCATION: join(maya, '..', '..') }), {
      cgName: 'Maya',
      version: '2024',
      executable: maya,
    });
    const hython = fakeExecutable(join(root, 'hfs19.5.303', 'bin', 'hython'), 'OPENFARM_HOUDINI 19.5.303');
    assert.equal(
      (await houdiniAdapter.detect({ PATH: '', HFS: join(hython, '..', '..') }))?.version,
      '19.5.303',
    );
    // Clarisse and Katana releases are advertised in the one spelling the matcher compares
    // (canonicalVersion): an analyzed Clarisse 4 project asks for "4".
    const cnode = fakeExecutable(join(root, 'clarisse_ifx_4.0_sp3', 'cnode'));
    assert.equal(
      (await clarisseAdapter.detect({ PATH: '', CLARISSE_HOME: join(cnode, '..') }))?.version,
      '4.0.3',
    );
    const katana = fakeExecutable(join(root, 'Katana3.2v1', 'katana'));
    assert.equal(
      (await katanaAdapter.detect({ PATH: '', KATANA_ROOT: join(katana, '..') }))?.version,
      '3.2.1',
    );
    const c4d = fakeExecutable(join(root, 'cinema4d2024', 'bin', 'Commandline'));
    assert.equal(
      (await cinema4dAdapter.detect({ PATH: '', C4D_ROOT: join(c4d, '..', '..') }))?.version,
      '2024',
    );
    // A Houdini whose hython does not answer is not advertised.
    const broken = fakeExecutable(join(root, 'hfs20.0.1', 'bin', 'hython'), 'garbage');
    assert.equal(await houdiniAdapter.detect({ PATH: '', HFS: join(broken, '..', '..') }), undefined);
  });

  for (const adapter of RENDERER_ADAPTERS) {
    test(`${adapter.cgName}: command line from task.json`, async () => {
      const spec = TASKS[adapter.cgName]!;
      const workDir = join(root, 'work', adapter.cgName.replace(/\s/g, '_'));
      mkdirSync(workDir, { recursive: true });
      const job: RenderJob = {
        task: spec.task,
        scenePath: spec.scene,
        stagingRoot: '/stage',
        frames: { start: 5, end: 9, step: 2 },
        outputDir: '/out',
        workDir,
        threads: 3,
      };
      const installed: InstalledRenderer = { cgName: adapter.cgName, version: '1', executable: '/bin/true' };
      const cmd = await (adapter as RendererAdapter).prepare(job, installed);
      const line = cmd.args.join(' ');
      for (const re of spec.expect) assert.match(line, re);
      assert.equal(cmd.cwd, workDir);
    });
  }

  test('Blender renders one frame with -f and picks a scene with -S', async () => {
    const workDir = join(root, 'work', 'blender-one');
    mkdirSync(workDir, { recursive: true });
    const cmd = await blenderAdapter.prepare(
      {
        task: TASKS.Blender!.task,
        scenePath: '/s/a.blend',
        stagingRoot: '/s',
        frames: { start: 7, end: 7, step: 1 },
        outputDir: '/o',
        workDir,
        threads: 2,
        layer: 'Scene.001',
      },
      { cgName: 'Blender', version: '3.4.1', executable: 'blender', features: { openimagedenoise: true } },
    );
    const line = cmd.args.join(' ');
    assert.match(line, /\/s\/a.blend -S Scene.001 --python-exit-code 3 --python /);
    assert.match(line, / -o \/o\/a_#### /);
    assert.match(line, / -t 2 -f 7$/);
  });

  test('Blender progress: untiled samples, and tiled renders tile by tile without going back', () => {
    const parse = blenderAdapter.createParser();
    const progress = (line: string) =>
      parse(line).flatMap((e) => (e.kind === 'progress' ? [e.fraction] : []));
    const head =
      'Fra:1 Mem:154.47M (Peak 298.47M) | Time:00:03.62 | Mem:145.50M, Peak:145.50M | Main, ViewLayer |';
    assert.deepEqual(progress(`${head} Sample 3/4`), [0.75]);
    // Blender 3.4's lines for a 4096×4096 frame (4 tiles of 2048², 4 samples), in order.
    const tiled = [
      'Rendered 0/4 Tiles, Sample 0/4',
      'Rendered 0/4 Tiles, Sample 1/4',
      'Rendered 0/4 Tiles, Sample 4/4',
      'Rendered 1/4 Tiles, Sample 4/4',
      'Rendered 1/4 Tiles, Sample 1/4',
      'Rendered 1/4 Tiles, Sample 4/4',
      'Rendered 2/4 Tiles, Sample 4/4',
      'Rendered 2/4 Tiles, Sample 1/4',
      'Rendered 2/4 Tiles, Sample 4/4',
      'Rendered 3/4 Tiles, Sample 4/4',
      'Rendered 3/4 Tiles, Sample 1/4',
      'Rendered 3/4 Tiles, Sample 4/4',
      'Rendered 3/4 Tiles, Sample 0/4',
      'Finished',
    ].flatMap((l) => progress(`${head} ${l}`));
    assert.deepEqual(tiled, [0, 0.0625, 0.25, 0.25, 0.3125, 0.5, 0.5, 0.5625, 0.75, 0.75, 0.8125, 1, 1]);
    // The next frame starts from 0 again.
    assert.deepEqual(
      progress('Fra:2 Mem:9.0M | Time:00:00.10 | Main, ViewLayer | Rendered 0/4 Tiles, Sample 1/4'),
      [0.0625],
    );
  });

  test('Houdini renders USD stages with husk', async () => {
    const workDir = join(root, 'work', 'husk');
    mkdirSync(workDir, { recursive: true });
    const cmd = await houdiniAdapter.prepare(
      { ...jobFor('Houdini', workDir), scenePath: '/s/shot.usd' },
      { cgName: 'Houdini', version: '19.5', executable: '/opt/hfs19.5/bin/hython' },
    );
    assert.equal(cmd.executable, '/opt/hfs19.5/bin/husk');
    assert.equal(
      cmd.args.join(' '),
      '--frame 5 --frame-count 3 --frame-inc 2 --threads 3 -o /out/shot.$F4.exr /s/shot.usd',
    );
  });
});

function jobFor(cgName: string, workDir: string): RenderJob {
  const spec = TASKS[cgName]!;
  return {
    task: spec.task,
    scenePath: spec.scene,
    stagingRoot: '/stage',
    frames: { start: 5, end: 9, step: 2 },
    outputDir: '/out',
    workDir,
    threads: 3,
  };
}
