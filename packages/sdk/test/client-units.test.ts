import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseHardwareConfig, type HardwareConfig, type SceneFacts } from '../src/check/hardware.js';
import { errorLanguageOf, zoneOf } from '../src/client/region.js';
import { backoffDelay, DEFAULT_RETRY, isRetryableCode } from '../src/client/retry.js';
import { buildUserInfo, camelToSnake } from '../src/client/user-info.js';
import { HardwareConfigIdError, NotSupportPluginError } from '../src/index.js';

describe('retry policy', () => {
  test('only 5xx, 610, 7001 and 7020 are retryable codes', () => {
    for (const code of [500, 502, 513, 599, 610, 7001, 7020]) assert.ok(isRetryableCode(code), String(code));
    for (const code of [200, 400, 404, 600, 601, 611, 700, 1000000, 7008])
      assert.ok(!isRetryableCode(code), String(code));
  });

  test('delays grow exponentially, stay within half and all of the step, and are capped', () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelay(policy, 1, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(policy, 1, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(policy, 9, () => 1),
      1000,
    );
    assert.ok(backoffDelay(DEFAULT_RETRY, 1) >= DEFAULT_RETRY.baseDelayMs / 2);
  });
});

describe('region by domain', () => {
  test('the mainland service gets zone 1 and Chinese texts; every other domain zone 2 and English', () => {
    assert.equal(zoneOf('task.renderbus.com'), 1);
    assert.equal(errorLanguageOf('task.renderbus.com'), 0);
    // The reference asked for Chinese here too, because the domain starts with "task".
    assert.equal(zoneOf('task.foxrenderfarm.com'), 2);
    assert.equal(errorLanguageOf('task.foxrenderfarm.com'), 1);
    assert.equal(errorLanguageOf('127.0.0.1:7200'), 1);
  });
});

describe('login merge', () => {
  test('camelCase keys become snake_case as the reference converts them', () => {
    assert.equal(camelToSnake('userId'), 'user_id');
    assert.equal(camelToSnake('shareMainCapital'), 'share_main_capital');
    assert.equal(camelToSnake('input_bid'), 'input_bid');
    assert.equal(camelToSnake('taskOverTimeSec'), 'task_over_time_sec');
    assert.equal(camelToSnake('rmb2Balance'), 'rmb2_balance');
  });

  test('later answers win, except platform', () => {
    const info = buildUserInfo({ domain: 'd', platform: '2' }, { userId: 1, platform: 9 }, { userId: 2 });
    assert.equal(info.user_id, 2);
    assert.equal(info.platform, '2');
  });
});

describe('hardware selection rules', () => {
  const base: HardwareConfig = {
    id: 1,
    type: 2,
    model: '1080Ti',
    ram: '64GB',
    gpuNum: '2*GPU',
    platform: 21,
    status: 1,
    notSupportCgId: [],
    notSupportCode: [],
    notSupportPluginList: [],
  };
  const scene: SceneFacts = {
    cgId: 2007,
    software: 'Blender',
    cgVersion: '3.4',
    plugins: {},
    tipsCodes: [],
    platform: 21,
  };
  const request = { model: '1080Ti', ram: '64GB', gpuNum: '2*GPU' };

  test('the last matching enabled config wins; disabled ones are ignored', () => {
    const configs = [base, { ...base, id: 2 }, { ...base, id: 3, status: 0 }];
    assert.deepEqual(chooseHardwareConfig(configs, request, scene), {
      hardwareConfigId: '2',
      ram: '64',
      graphics_cards_num: '2',
    });
  });

  test('a plugin pattern that is not a valid regular expression is matched as text', () => {
    const configs = [{ ...base, notSupportPluginList: ['vray [5'] }];
    assert.throws(
      () => chooseHardwareConfig(configs, request, { ...scene, plugins: { vray: '[5.1' } }),
      NotSupportPluginError,
    );
    assert.equal(
      chooseHardwareConfig(configs, request, { ...scene, plugins: { vray: '6' } }).hardwareConfigId,
      '1',
    );
  });

  test('Cinema 4D 2024 is refused on the GPU regions older models', () => {
    const c4d = { ...scene, cgId: 2005, software: 'CINEMA 4D', cgVersion: '2024.1' };
    assert.throws(() => chooseHardwareConfig([base], request, c4d), HardwareConfigIdError);
    assert.equal(chooseHardwareConfig([base], request, { ...c4d, cgVersion: 'R26' }).hardwareConfigId, '1');
  });

  test('a request without model or ram is refused with the choices', () => {
    assert.throws(
      () => chooseHardwareConfig([base], { ram: '64GB' } as never, scene),
      (e) => e instanceof HardwareConfigIdError && e.allowed.length === 1,
    );
  });
});
