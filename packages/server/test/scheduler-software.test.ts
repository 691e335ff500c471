/**
 * The software catalogue and version matching against real node
 * registrations: querySupportedSoftware lists what live nodes render with
 * their versions; a task.json written by an analyzer (Clarisse `4`) is leased
 * by the node whose detection found `clarisse_ifx_4.0_sp3`; and a render
 * environment (plugin config) chosen for a task decides which node, with which
 * version, renders it.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeClarisse, AnalyzeHoudini } from '@openfarm/analyzers';
import { CG_ID } from '@openfarm/protocol';
import { clarisseAdapter } from '@openfarm/worker';
import { buildHip } from '../../analyzers/test/fixtures/houdini/hip-builder.js';
import { SHOT_SCENE } from '../../analyzers/test/fixtures/houdini/shot-scene.js';
import { type SchedulerFarm, startSchedulerFarm } from './scheduler-support.js';
import type { Client } from './support/farm.js';

const FIXTURES = fileURLToPath(new URL('../../analyzers/test/fixtures', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'openfarm-software-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** createTask → taskJsonFile with the analyzer's own task.json → submitTask, as the SDK does. */
async function submitAnalyzed(user: Client, task: Record<string, unknown>): Promise<number> {
  const created = await user.data<{ taskIdList: number[] }>('/api/render/submit/createTask', {
    count: 1,
    taskUserLevel: 50,
  });
  const taskId = created.taskIdList[0]!;
  const info = task.task_info as Record<string, string>;
  const content = JSON.stringify({ ...task, task_info: { ...info, task_id: String(taskId) } });
  await user.data('/api/render/submit/taskJsonFile', { taskId, fileName: 'task.json', content });
  await user.data('/api/render/submit/task', { taskId });
  return taskId;
}

async function analyzed(
  Analyzer: typeof AnalyzeClarisse | typeof AnalyzeHoudini,
  cgFile: string,
  opts: { softwareVersion?: string; pluginConfig?: Record<string, string> } = {},
) {
  const workspace = mkdtempSync(join(tmp, 'ws-'));
  const a = await new Analyzer({ cgFile, workspace, ...opts }).analyse();
  return a.taskInfo as unknown as Record<string, unknown>;
}

describe('software catalogue and version matching with live nodes', () => {
  let f: SchedulerFarm;
  before(async () => {
    f = await startSchedulerFarm({ maxPollMs: 200 });
  });
  after(() => f.close());

  test('an analyzed Clarisse project is leased by the node that detected clarisse_ifx_4.0_sp3', async () => {
    // The node's version is what detection reports for a real install folder name.
    const cnode = join(tmp, 'isotropix', 'clarisse_ifx_4.0_sp3', 'cnode');
    mkdirSync(join(cnode, '..'), { recursive: true });
    writeFileSync(cnode, '#!/bin/sh\n');
    chmodSync(cnode, 0o755);
    const detected = await clarisseAdapter.detect({ PATH: '', CLARISSE_HOME: join(cnode, '..') });
    assert.ok(detected);
    const blender = await f.node('sw-blender');
    const clarisse = await f.node('sw-clarisse', [{ cgName: detected.cgName, version: detected.version }]);

    const task = await analyzed(AnalyzeClarisse, join(FIXTURES, 'clarisse', 'shot.project'));
    assert.equal((task.software_config as { cg_version: string }).cg_version, '4');
    const taskId = await submitAnalyzed(f.user, task);
    assert.equal((await blender.poll()).leases.length, 0, 'a Blender node does not take a Clarisse task');
    const { leases } = await clarisse.poll();
    assert.equal(leases.length, 1);
    assert.equal(leases[0]!.job.taskId, taskId);
    // Render the task's frames to the end, so the next test's task is the only one waiting.
    for (let l = leases[0]; l !== undefined; l = (await clarisse.poll()).leases[0])
      await clarisse.complete(l);
  });

  test('a node still advertising the raw release name matches the analyzed version too', async () => {
    const raw = await f.node('sw-clarisse-raw', [{ cgName: 'Clarisse', version: 'clarisse_ifx_4.0_sp3' }]);
    const newer = await f.node('sw-clarisse-5', [{ cgName: 'Clarisse', version: 'clarisse_ifx_5.0_sp8' }]);
    const task = await analyzed(AnalyzeClarisse, join(FIXTURES, 'clarisse', 'shot.project'));
    const taskId = await submitAnalyzed(f.user, task);
    assert.equal((await newer.poll()).leases.length, 0, 'Clarisse 5 does not render a task asking for 4');
    const { leases } = await raw.poll();
    assert.equal(leases[0]?.job.taskId, taskId);
    for (let l = leases[0]; l !== undefined; l = (await raw.poll()).leases[0]) await raw.complete(l);
  });

  test('querySupportedSoftware lists what live nodes render, with their versions', async () => {
    await f.node('sw-houdini-195', [{ cgName: 'Houdini', version: '19.5.303' }]);
    await f.node('sw-houdini-205', [{ cgName: 'Houdini', version: '20.5.487' }]);
    const list = await f.user.api('query.supportedSoftware');
    const byName = new Map(list.renderInfoList.map((s) => [s.cgName, s]));
    assert.deepEqual(byName.get('Houdini')?.cgVersionList, ['19.5.303', '20.5.487']);
    assert.equal(byName.get('Houdini')?.renderNodes, 2);
    assert.deepEqual(byName.get('Clarisse')?.cgVersionList, ['4.0.3', '5.0.8']);
    assert.deepEqual(byName.get('Blender')?.cgVersionList, ['3.4.1']);
    // Software no live node has is not listed: the catalogue is what the nodes render.
    assert.equal(byName.get('Maya'), undefined);
    assert.ok(list.renderInfoList.every((s) => (s.renderNodes ?? 0) > 0));
    // A disabled node is not live, and neither is one not seen within the catalogue window.
    await f.db.updateTable('workers').set({ disabled: 1 }).where('name', '=', 'sw-blender').execute();
    const after = await f.user.api('query.supportedSoftware');
    assert.equal(
      after.renderInfoList.find((s) => s.cgName === 'Blender'),
      undefined,
    );
    assert.deepEqual(await f.user.api('query.supportedPlugin', { cgId: CG_ID.BLENDER }), {
      cgVersion: [],
      cgPlugin: [],
    });
    const window = f.farm.server.farm.catalogWindowMs;
    await f.db
      .updateTable('workers')
      .set({ last_seen_at: Date.now() - window - 1000 })
      .where('name', '=', 'sw-houdini-195')
      .execute();
    const stale = await f.user.api('query.supportedSoftware');
    assert.deepEqual(stale.renderInfoList.find((s) => s.cgName === 'Houdini')?.cgVersionList, ['20.5.487']);
    // A node seen a few minutes ago (rebooting, or the server was restarted) still counts.
    await f.db
      .updateTable('workers')
      .set({ last_seen_at: Date.now() - 5 * 60_000 })
      .where('name', '=', 'sw-houdini-195')
      .execute();
    const rebooting = await f.user.api('query.supportedSoftware');
    assert.deepEqual(rebooting.renderInfoList.find((s) => s.cgName === 'Houdini')?.cgVersionList, [
      '19.5.303',
      '20.5.487',
    ]);
    // The versions a client may ask for include what an analyzer writes for a live node's release.
    const clarisse = await f.user.api('query.supportedPlugin', { cgId: CG_ID.CLARISSE });
    const versions = clarisse.cgVersion.map((v) => v.cgVersion);
    for (const v of ['4', '4.0', '4.0.3', 'clarisse_ifx_4.0_sp3']) assert.ok(versions.includes(v), v);
  });

  test('the render environment chosen for a task selects the node and version that renders it', async () => {
    const h195 = await f.node('sw-env-houdini-195', [{ cgName: 'Houdini', version: '19.5.303' }]);
    const h205 = await f.node('sw-env-houdini-205', [{ cgName: 'Houdini', version: '20.5.487' }]);
    await f.user.api('env.addRenderEnv', {
      cgId: CG_ID.HOUDINI,
      cgName: 'Houdini',
      cgVersion: '20.5',
      editName: 'houdini 20.5 karma',
      renderSystem: 0,
      pluginIds: [],
    });
    const env = (await f.user.api('env.getRenderEnv', { cgId: CG_ID.HOUDINI })).find(
      (e) => e.editName === 'houdini 20.5 karma',
    );
    assert.ok(env);
    // The scene was saved by 20.5.410; the environment names the version to render with.
    const hip = join(tmp, 'shot.hip');
    writeFileSync(hip, buildHip(SHOT_SCENE));
    const task = await analyzed(AnalyzeHoudini, hip, { softwareVersion: env.cgVersion });
    assert.equal((task.software_config as { cg_version: string }).cg_version, '20.5');
    const taskId = await submitAnalyzed(f.user, task);
    assert.equal((await h195.poll()).leases.length, 0, 'Houdini 19.5 does not render a 20.5 environment');
    const { leases } = await h205.poll();
    assert.equal(leases.length, 1);
    // The scene's ROPs are child tasks of the submitted one (ids after it).
    assert.ok(leases[0]!.job.taskId >= taskId, `${leases[0]!.job.taskId} comes from task ${taskId}`);
    await h205.complete(leases[0]!);
  });
});
