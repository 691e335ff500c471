import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { RayvisionAPI } from '@openfarm/sdk';
import { startFarm, type TestFarm } from './farm-fixture.js';

let farm: TestFarm;
before(async () => {
  farm = await startFarm();
});
after(() => farm.close());

describe('constructor', () => {
  const saved = { id: process.env.RAYVISION_API_ACCESS_ID, key: process.env.RAYVISION_API_KEY };
  after(() => {
    for (const [name, value] of [
      ['RAYVISION_API_ACCESS_ID', saved.id],
      ['RAYVISION_API_KEY', saved.key],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test('a missing access key is an error at construction, not at the first call', () => {
    delete process.env.RAYVISION_API_KEY;
    assert.throws(
      () => new RayvisionAPI({ accessId: 'id', domain: farm.domain }),
      /no access key.*RAYVISION_API_KEY/,
    );
    delete process.env.RAYVISION_API_ACCESS_ID;
    assert.throws(() => new RayvisionAPI({ accessKey: 'key', domain: farm.domain }), /no access id/);
  });

  test('credentials fall back to the environment', async () => {
    process.env.RAYVISION_API_ACCESS_ID = farm.user.accessId;
    process.env.RAYVISION_API_KEY = farm.user.accessKey;
    const api = new RayvisionAPI({ domain: farm.domain, protocol: 'http', platform: '2' });
    assert.equal(await api.getUserId(), farm.user.userId);
  });

  test('bad options are named', () => {
    assert.throws(() => new RayvisionAPI({ accessId: 'a', accessKey: 'b', domain: 'http://x' }), /domain/);
    assert.throws(() => new RayvisionAPI({ accessId: 'a', accessKey: 'b', timeout: 0 }), /timeout/);
  });

  test('userInfo before login says what to do', () => {
    assert.throws(() => farm.client().userInfo, /api\.login\(\)/);
  });
});

describe('login', () => {
  test('merges profile, settings and storage ids with snake_case keys; the constructor platform wins', async () => {
    const api = await RayvisionAPI.connect({
      accessId: farm.user.accessId,
      accessKey: farm.user.accessKey,
      domain: farm.domain,
      protocol: 'http',
      platform: '62',
    });
    const info = api.userInfo;
    assert.equal(info.user_id, farm.user.userId);
    assert.equal(info.user_name, 'artist');
    assert.equal(info.platform, '62');
    assert.equal(info.domain, farm.domain);
    assert.equal(info.local_os, process.platform === 'win32' ? 'windows' : process.platform);
    const bids = await api.user.getTransferBid();
    assert.equal(info.input_bid, bids.input_bid);
    assert.equal(info.config_bid, bids.config_bid);
    const settings = await api.user.queryUserSetting();
    assert.equal(info.task_over_time_sec, settings.taskOverTimeSec);
    assert.ok(
      Object.keys(info).every((k) => k === k.toLowerCase()),
      'every key is snake_case',
    );
  });

  test('wrong credentials fail with the server code', async () => {
    const api = farm.client({ accessKey: 'not-the-key' });
    await assert.rejects(api.login(), (e) => e instanceof ApiError && e.code === 611);
  });
});

describe('user operator', () => {
  test('queryUserProfile answers the calling account', async () => {
    const profile = await farm.client().user.queryUserProfile();
    assert.equal(profile.userId, farm.user.userId);
    assert.equal(profile.userName, farm.user.userName);
  });

  test('updateUserSettings changes what queryUserSetting reads', async () => {
    const api = farm.client();
    await api.user.updateUserSettings(7200);
    assert.equal((await api.user.queryUserSetting()).taskOverTimeSec, 7200);
    await api.user.updateUserSettings(3600);
    assert.equal((await api.user.queryUserSetting()).taskOverTimeSec, 3600);
  });

  test('getHardwareConfig lists the farm configurations', async () => {
    const configs = await farm.client().user.getHardwareConfig();
    const cpu = configs.find((c) => c.platform === 2 && c.model === 'Default' && c.ram === '64GB');
    assert.ok(cpu, 'the CPU 64GB config of platform 2');
    assert.equal(cpu.gpuNum, null);
    assert.equal(cpu.status, 1);
  });

  test('taskRecord and loginRecord page through the audit logs', async () => {
    const api = farm.client();
    const created = await api.task.createTask();
    await api.task.stopTask(created.taskIdList);
    const tasks = await api.user.taskRecord();
    assert.ok(tasks.items.some((r) => JSON.stringify(r).includes(String(created.taskIdList[0]))));
    const logins = await api.user.loginRecord({ pageSize: 5 });
    assert.equal(logins.pageNum, 1);
    assert.ok(Array.isArray(logins.items));
  });
});
