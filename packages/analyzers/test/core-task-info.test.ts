import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TASK_INFO_DEFAULTS } from '@openfarm/protocol';
import {
  AnalyzeError,
  DependencyCollector,
  type ReadContext,
  SceneAnalyzer,
  type SceneReadResult,
  type TaskInfoOverrides,
} from '../src/index.js';

/** A format whose file is the task_info overrides its reader hands back, as JSON. */
class AnalyzeOverrides extends SceneAnalyzer<null> {
  protected readonly software = { cgName: 'Overrides', cgId: '9998', missingFileTipCode: '10012' };
  protected readScene(ctx: ReadContext): SceneReadResult<null> {
    return {
      scene: null,
      taskInfo: JSON.parse(readFileSync(ctx.cgFile, 'utf8')) as TaskInfoOverrides,
      dependencies: new DependencyCollector({ roots: [dirname(ctx.cgFile)] }),
    };
  }
}

const root = mkdtempSync(join(tmpdir(), 'openfarm-core-task-info-'));
after(() => rmSync(root, { recursive: true, force: true }));
const workspace = join(root, 'ws');
mkdirSync(workspace);

function analyzerFor(name: string, overrides: unknown): AnalyzeOverrides {
  const file = join(root, `${name}.overrides`);
  writeFileSync(file, JSON.stringify(overrides));
  return new AnalyzeOverrides({ cgFile: file, workspace, projectName: 'demo' });
}

describe('task_info set by a reader', () => {
  test('overrides land in task.json beside the analyzer’s own fields', async () => {
    const a = await analyzerFor('set', {
      is_distribute_render: '1',
      distribute_render_node: '8',
      geo_node_dependency: '1',
    }).analyse();
    const info = JSON.parse(readFileSync(a.taskJson, 'utf8')).task_info;
    assert.equal(info.is_distribute_render, '1');
    assert.equal(info.distribute_render_node, '8');
    assert.equal(info.geo_node_dependency, '1');
    assert.equal(info.cg_id, '9998');
    assert.equal(info.project_name, 'demo');
    assert.equal(info.frames_per_task, TASK_INFO_DEFAULTS.frames_per_task);
  });

  test('a reader that sets nothing leaves the template values', async () => {
    const a = await analyzerFor('none', {}).analyse();
    assert.equal(a.taskInfo?.task_info.is_distribute_render, TASK_INFO_DEFAULTS.is_distribute_render);
  });

  test('values the task_info schema refuses are an AnalyzeError naming the field, and nothing is written', async () => {
    for (const [name, overrides, field] of [
      ['flag', { is_distribute_render: 'yes' }, 'is_distribute_render'],
      ['zero-nodes', { distribute_render_node: '0' }, 'distribute_render_node'],
      ['number', { tiles: 4 }, 'tiles'],
      ['tiles-and-grouping', { tiles: '4', frames_per_task: '2' }, 'frames_per_task'],
    ] as const) {
      const analyzer = analyzerFor(name, overrides);
      await assert.rejects(
        analyzer.analyse(),
        (e: unknown) =>
          e instanceof AnalyzeError && e.code === 'CORRUPT' && e.message.includes(`task_info.${field}`),
        name,
      );
      assert.equal(existsSync(analyzer.taskJson), false, name);
    }
  });

  test('fields the analyzer or the caller owns cannot be set by a reader', async () => {
    for (const key of ['cg_id', 'input_cg_file', 'project_name', 'platform', 'os_name']) {
      await assert.rejects(
        analyzerFor(`owned-${key}`, { [key]: '1' }).analyse(),
        (e: unknown) => e instanceof AnalyzeError && e.message.includes(key),
        key,
      );
    }
  });
});
