import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assetLinePath,
  formatFieldPath,
  JobFileError,
  MODIFIABLE_TASK_INFO_KEYS,
  parseJobFile,
  stringifyModifiableTaskInfo,
  TASK_INFO_DEFAULTS,
  tipsDetails,
  validateJobFile,
} from '@openfarm/protocol';

const taskInfo = (extra: Record<string, string> = {}) => ({
  ...TASK_INFO_DEFAULTS,
  cg_id: '2007',
  input_cg_file: 'D:/proj/cloakroom.blend',
  project_name: 'demo',
  ...extra,
});

const blenderTask = (over: Record<string, unknown> = {}) => ({
  task_info: taskInfo(),
  software_config: { cg_name: 'Blender', cg_version: '2.81', plugins: {} },
  scene_info: {
    common: {
      frames: '1-250[1]',
      width: '1920',
      height: '1080',
      Render_Format: 'PNG',
      scene_name: ['Scene'],
      camera_name: "['Camera']",
      Output_path: '/tmp/',
    },
  },
  ...over,
});

/** The issues of a rejected file as `path: message` lines (without the file name prefix). */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof JobFileError, String(e));
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a JobFileError');
}

test('task_info defaults are the reference template, all strings', () => {
  assert.equal(TASK_INFO_DEFAULTS.frames_per_task, '1');
  assert.equal(TASK_INFO_DEFAULTS.pre_frames, '000');
  assert.equal(TASK_INFO_DEFAULTS.stop_after_test, '2');
  assert.equal(TASK_INFO_DEFAULTS.job_stop_time, '259200');
  assert.equal(TASK_INFO_DEFAULTS.time_out, '43200');
  assert.equal(TASK_INFO_DEFAULTS.tiles_type, 'block');
  assert.equal(TASK_INFO_DEFAULTS.distribute_render_node, '3');
  assert.equal(TASK_INFO_DEFAULTS.graphics_cards_num, '2');
  assert.equal(Object.keys(TASK_INFO_DEFAULTS).length, 27);
  for (const v of Object.values(TASK_INFO_DEFAULTS)) assert.equal(typeof v, 'string');
});

test('a Blender task.json passes and missing task_info fields take the defaults', () => {
  const t = validateJobFile('task', {
    task_info: { cg_id: '2007', input_cg_file: 'D:/proj/a.blend' },
    software_config: { cg_name: 'Blender', cg_version: '4.2' },
    scene_info: blenderTask().scene_info,
    additional_info: { anything: { goes: 1 } },
  });
  assert.equal(t.task_info.frames_per_task, '1');
  assert.equal(t.task_info.platform, '2');
  assert.equal(t.task_info.hardwareConfigId, '');
  assert.deepEqual(t.software_config.plugins, {});
  assert.ok(validateJobFile('task', blenderTask()));
});

test('typed scene descriptions of every DCC pass', () => {
  const good: Array<[string, string, Record<string, unknown>]> = [
    [
      '2000',
      'Maya',
      {
        defaultRenderLayer: {
          renderable: '1',
          is_default_camera: '1',
          option: '',
          env: {},
          common: {
            renderer: 'arnold',
            image_format: 'exr',
            frames: '1-10[1]',
            width: '1920',
            height: '1080',
            all_camera: ['persp'],
            render_camera: ['persp'],
          },
        },
        'layer with space': { renderable: '0', common: { frames: '1,3-4[1]' } },
      },
    ],
    [
      '2004',
      'Houdini',
      {
        rop_node: [
          { node: '/out/mantra1', frames: '1-10[1]', option: '-1', render: '1', width: 1280, height: 720 },
        ],
        geo_node: [
          { node: '/obj/geo1/cache', frames: '1-10[1]', option: '0', render: '1', geoDependencySort: '1' },
        ],
        distributedsim_node: [
          {
            node: '/obj/dop',
            output_driver: '/out/sim',
            simControlName: 'ctrl',
            output_file: '$HIP/sim.bgeo',
            num_slices: '4',
            sliceType: '0',
            option: '1',
            frames: '1-100[1]',
            render: '1',
          },
        ],
      },
    ],
    [
      '2013',
      'Clarisse',
      {
        image_node: [
          {
            name: 'project://scene/cam02',
            renderable: '0',
            frames: '1-10[1]',
            output: 'D:/out/img',
            format: 'exr',
            LUT: 'linear',
            save_to_disk: '1',
            layers: [{ name: 'project://scene/cam02.cam02_layer02', renderable: '1', frames: '1-10[1]' }],
          },
        ],
      },
    ],
    [
      '2005',
      'CINEMA 4D',
      {
        common: { frames: '0-90[1]', fps: '30', width: '1920', height: '1080', all_camera: ['Camera'] },
        renderer: { name: 'Physical' },
      },
    ],
    [
      '2016',
      'Katana',
      {
        rendernodes: {
          Render1: { aov: { primary: '/out/p.exr' }, frames: '1-5[1]', denoise: '0', renderable: '1' },
        },
      },
    ],
    ['2001', '3ds Max', { common: { anything: 'is kept' }, renderer: { name: 'vray' } }],
  ];
  for (const [cgId, cgName, scene] of good) {
    const t = validateJobFile('task', {
      task_info: taskInfo({ cg_id: cgId }),
      software_config: { cg_name: cgName, cg_version: '1', plugins: { mtoa: '3.2.1.1' } },
      scene_info_render: scene,
    });
    assert.deepEqual(t.scene_info_render, scene, cgName);
  }
});

test('bad task.json files name the file, the field and what was expected', () => {
  const cases: Array<[unknown, RegExp]> = [
    [
      blenderTask({ task_info: taskInfo({ frames_per_task: '0' }) }),
      /^task_info\.frames_per_task: expected a positive whole number/,
    ],
    [
      blenderTask({ task_info: { ...taskInfo(), frames_per_task: 2 } }),
      /^task_info\.frames_per_task: expected string, got number 2/,
    ],
    [
      blenderTask({ task_info: taskInfo({ pre_frames: '12' }) }),
      /^task_info\.pre_frames: expected three 0\/1 flags.*position 1/,
    ],
    [
      blenderTask({ task_info: taskInfo({ tiles_type: 'grid' }) }),
      /^task_info\.tiles_type: expected "block" or "strip", got the string "grid"/,
    ],
    [
      blenderTask({ task_info: taskInfo({ os_name: 'windows' }) }),
      /^task_info\.os_name: expected "0" or "1"/,
    ],
    [blenderTask({ task_info: taskInfo({ cg_id: 'blender' }) }), /^task_info\.cg_id: expected a software id/],
    [
      blenderTask({ task_info: { ...taskInfo(), custom_key: 5 } }),
      /^task_info\.custom_key: expected string, got number 5/,
    ],
    [
      blenderTask({ task_info: taskInfo({ tiles: '4', frames_per_task: '2' }) }),
      /^task_info\.frames_per_task: expected "1" when tiles/,
    ],
    [blenderTask({ task_info: { cg_id: '2007' } }), /^task_info\.input_cg_file: missing; expected string/],
    [blenderTask({ software_config: undefined }), /^software_config: missing; expected an object/],
    [
      blenderTask({ software_config: { cg_name: 'Maya', cg_version: '1' } }),
      /^software_config\.cg_name: expected "Blender" to match task_info\.cg_id 2007/,
    ],
    [
      blenderTask({ software_config: { cg_name: 'Blender', cg_version: '' } }),
      /^software_config\.cg_version: expected the software version/,
    ],
    [
      blenderTask({ scene_info: { common: { frames: '10-1[1]' } } }),
      /^scene_info\.common\.frames: expected a frame range.*start 10 is after end 1/,
    ],
    [blenderTask({ scene_info: {} }), /^scene_info\.common: missing/],
  ];
  for (const [file, expected] of cases) {
    const issues = issuesOf(() => validateJobFile('task', file));
    assert.ok(
      issues.some((i) => expected.test(i)),
      `${expected} not in ${JSON.stringify(issues)}`,
    );
  }
  const houdini = {
    task_info: taskInfo({ cg_id: '2004' }),
    software_config: { cg_name: 'Houdini', cg_version: '17.5.293' },
    scene_info_render: { rop_node: [{ node: '/out/m', frames: '1-2[1]', option: '2', render: '1' }] },
  };
  assert.match(
    issuesOf(() => validateJobFile('task', houdini))[0]!,
    /^scene_info_render\.rop_node\[0\]\.option: expected "-1"/,
  );
  const maya = {
    task_info: taskInfo({ cg_id: '2000' }),
    software_config: { cg_name: 'Maya', cg_version: '2019' },
    scene_info_render: { 'my layer': { renderable: 'yes', common: { frames: '1' } } },
  };
  assert.match(
    issuesOf(() => validateJobFile('task', maya))[0]!,
    /^scene_info_render\["my layer"\]\.renderable: expected "0" or "1"/,
  );
});

test('the error message carries the file name on every line', () => {
  try {
    parseJobFile(
      'task',
      JSON.stringify(blenderTask({ task_info: taskInfo({ ram: 'x', tiles: '0' }) })),
      'job/task.json',
    );
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof JobFileError);
    assert.equal(e.fileName, 'job/task.json');
    const lines = e.message.split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /^job\/task\.json: task_info\.(ram|tiles): expected/);
  }
});

test('parseJobFile tolerates a BOM and reports bad JSON', () => {
  assert.ok(parseJobFile('tips', '\ufeff{}'));
  assert.deepEqual(
    issuesOf(() => parseJobFile('upload', '{"asset": [')),
    [issuesOf(() => parseJobFile('upload', '{"asset": ['))[0]!],
  );
  assert.match(issuesOf(() => parseJobFile('upload', '{"asset": ['))[0]!, /^: not valid JSON/);
});

test('upload.json', () => {
  const good = {
    asset: [
      { local: 'D:/proj/tex/a.png', server: '/D/proj/tex/a.png' },
      { local: 'D:/proj/scene.ma', server: '/D/proj/scene.ma' },
    ],
    scene: [
      { local: 'D:/proj/scene.ma', server: '/D/proj/scene.ma', hash: 'd41d8cd98f00b204e9800998ecf8427e' },
    ],
  };
  assert.deepEqual(validateJobFile('upload', good), good);
  assert.ok(validateJobFile('upload', { asset: [] }));
  assert.ok(
    validateJobFile('upload', { asset: [], scene: { local: 'a.max.7z', server: '/D/a.max.7z' }, vrmap: [] }),
  );
  const bad: Array<[unknown, RegExp]> = [
    [{}, /^asset: missing; expected array/],
    [
      { asset: [{ local: 'a', server: '/D/../etc' }] },
      /^asset\[0\]\.server: expected an absolute server path.*'\.\.' segment/,
    ],
    [{ asset: [{ local: 'a', server: 'D/x' }] }, /^asset\[0\]\.server: expected an absolute server path/],
    [{ asset: [{ local: '', server: '/D/x' }] }, /^asset\[0\]\.local: expected the local file path/],
    [{ asset: [], scene: [{ local: 'a', server: '/a', hash: 'xyz' }] }, /^scene\[0\]\.hash: expected an md5/],
  ];
  for (const [file, expected] of bad) {
    const issues = issuesOf(() => validateJobFile('upload', file));
    assert.ok(
      issues.some((i) => expected.test(i)),
      `${expected} not in ${JSON.stringify(issues)}`,
    );
  }
});

test('asset.json and tips.json', () => {
  assert.deepEqual(validateJobFile('asset', {}), {});
  const asset = {
    asset: ['D:/tex/a.png  (mtime 1600000000) size 12'],
    missing_file: ['D:/tex/b.png'],
    extra: 1,
  };
  assert.deepEqual(validateJobFile('asset', asset), asset);
  assert.equal(assetLinePath(asset.asset[0]!), 'D:/tex/a.png');
  assert.equal(assetLinePath('D:/plain.png'), 'D:/plain.png');
  assert.match(issuesOf(() => validateJobFile('asset', { asset: [1] }))[0]!, /^asset\[0\]: expected string/);

  const tips = { '15013': ['scene saved with Maya 2018'], '46001': 'frame_step is 2' };
  assert.deepEqual(validateJobFile('tips', tips), tips);
  assert.deepEqual(tipsDetails(tips), {
    '15013': ['scene saved with Maya 2018'],
    '46001': ['frame_step is 2'],
  });
  assert.match(issuesOf(() => validateJobFile('tips', { abc: [] }))[0]!, /^abc: expected a numeric tip code/);
  assert.match(
    issuesOf(() => validateJobFile('tips', { '1': 5 }))[0]!,
    /^\["1"\]: expected a list of detail strings/,
  );
  assert.match(issuesOf(() => validateJobFile('tips', []))[0]!, /^: missing|^: expected an object/);
});

test('numbers edited into modifiable keys become strings, as the reference check does', () => {
  const edited = stringifyModifiableTaskInfo({ ...taskInfo(), frames_per_task: 2, tiles: 1, cg_id: 2007 });
  assert.equal(edited.frames_per_task, '2');
  assert.equal(edited.tiles, '1');
  assert.equal(edited.cg_id, 2007, 'cg_id is not a modifiable key');
  assert.ok(MODIFIABLE_TASK_INFO_KEYS.includes('pre_frames'));
});

test('field paths print like code', () => {
  assert.equal(formatFieldPath(['task_info', 'frames']), 'task_info.frames');
  assert.equal(formatFieldPath(['asset', 3, 'server']), 'asset[3].server');
  assert.equal(formatFieldPath(['a b', 'c']), '["a b"].c');
  assert.equal(formatFieldPath([]), '');
});
