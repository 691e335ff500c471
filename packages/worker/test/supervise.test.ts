/**
 * Stopping a renderer stops its whole process group: SIGTERM, a grace period,
 * then SIGKILL for whatever ignored it — including children it forked.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blenderAdapter, groupAlive, runRender, runSupervised } from '@openfarm/worker';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-supervise-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Alive and not a zombie (orphans of a killed group may wait for a PID 1 that never reaps them). */
function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a render dies with its node (dieWithParent)', () => {
  test('SIGKILL of the Node process ends the group, a child that ignores SIGTERM included', async (t) => {
    // Silent (nothing to die of SIGPIPE from), ignoring TERM, with a forked child: only SIGKILL works.
    const script = 'trap "" TERM; sh -c \'trap "" TERM; sleep 300\' & sleep 300';
    const node = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        fileURLToPath(new URL('supervised-child.ts', import.meta.url)),
        script,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(() => {
      if (node.exitCode === null && node.signalCode === null) node.kill('SIGKILL');
    });
    let out = '';
    node.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await waitFor('the renderer to start', () => /pid \d+/.test(out), 30_000);
    const pid = Number(/pid (\d+)/.exec(out)![1]);
    await new Promise((r) => setTimeout(r, 300)); // the forked child is up
    assert.ok(groupAlive(pid));
    node.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('the group to die with its node', () => !groupAlive(pid), 10_000);
    t.diagnostic(`group gone ${Date.now() - killedAt} ms after its node`);
  });

  test("the renderer's own exit code, signal and output come through the wrapper; nothing stays", async () => {
    const lines: string[] = [];
    const pids: number[] = [];
    const coded = await runSupervised(
      { executable: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'] },
      { dieWithParent: true, onLine: (l) => lines.push(l), onSpawn: (p) => pids.push(p) },
    );
    assert.deepEqual({ code: coded.code, signal: coded.signal }, { code: 3, signal: null });
    assert.deepEqual(lines.sort(), ['err', 'out']);
    // The watcher is told the renderer ended and leaves: the group is empty once the run resolves.
    assert.equal(groupAlive(pids[0]!), false);
    const killed = await runSupervised(
      { executable: 'sh', args: ['-c', 'kill -KILL $$'] },
      { dieWithParent: true },
    );
    assert.equal(killed.signal, 'SIGKILL');
  });
});

describe('process supervision', () => {
  test('a process group that ignores SIGTERM is killed after the grace period', async () => {
    const ac = new AbortController();
    const pids: number[] = [];
    let groupPid = 0;
    const started = Date.now();
    const exit = await runSupervised(
      // The shell ignores TERM and forks a child that does too; both must die.
      {
        executable: 'sh',
        args: ['-c', 'trap "" TERM; sh -c \'trap "" TERM; echo child $$; sleep 60\' & echo ready; wait'],
      },
      {
        signal: ac.signal,
        graceMs: 300,
        onSpawn: (pid) => {
          groupPid = pid;
        },
        onLine: (line) => {
          const m = /^child (\d+)/.exec(line);
          if (m) {
            pids.push(Number(m[1]));
            ac.abort();
          }
        },
      },
    );
    assert.equal(exit.stoppedBy, 'abort');
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(Date.now() - started >= 300, 'SIGKILL came after the grace period');
    assert.equal(pids.length, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(pidAlive(pids[0]!), false, 'the forked child is gone too');
    assert.equal(groupAlive(groupPid), false);
  });

  test('a process that honours SIGTERM ends within the grace period', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 200);
    const exit = await runSupervised(
      { executable: 'sleep', args: ['60'] },
      { signal: ac.signal, graceMs: 10_000 },
    );
    assert.equal(exit.stoppedBy, 'abort');
    assert.equal(exit.signal, 'SIGTERM');
    assert.ok(Date.now() - started < 5000);
  });

  test('the timeout stops a renderer like an abort', async () => {
    const exit = await runSupervised({ executable: 'sleep', args: ['60'] }, { timeoutMs: 200, graceMs: 500 });
    assert.equal(exit.stoppedBy, 'timeout');
  });

  test('an executable that does not exist is a clear error', async () => {
    await assert.rejects(
      runSupervised({ executable: join(root, 'no-such-renderer'), args: [] }),
      /cannot start/,
    );
  });

  test('stopping a real Blender render mid-frame kills Blender', async (t) => {
    const installed = await blenderAdapter.detect();
    const skip = requireProgram('blender', { found: installed !== undefined });
    if (skip || !installed) return t.skip(skip || undefined);
    // 512×512 at 4 samples per pixel takes long enough to stop it mid-frame.
    const scene = generateSampleScene({ outDir: join(root, 'scene'), size: 512, frames: 2 });
    mkdirSync(join(root, 'work'), { recursive: true });
    const ac = new AbortController();
    let pid = 0;
    const result = await runRender(
      blenderAdapter,
      installed,
      {
        task: { task_info: {}, software_config: { cg_name: 'Blender', cg_version: '3.4' } },
        scenePath: scene.blendPath,
        stagingRoot: root,
        frames: { start: 1, end: 2, step: 1 },
        outputDir: join(root, 'out'),
        workDir: join(root, 'work'),
        threads: 1,
      },
      {
        signal: ac.signal,
        graceMs: 2000,
        onSpawn: (p) => {
          pid = p;
        },
        onEvent: (e) => {
          if (e.kind === 'progress') ac.abort();
        },
      },
    );
    assert.equal(result.ok, false);
    assert.equal(result.exit.stoppedBy, 'abort');
    assert.ok(
      result.exit.signal === 'SIGTERM' || result.exit.signal === 'SIGKILL',
      String(result.exit.signal),
    );
    assert.equal(groupAlive(pid), false);
    assert.deepEqual(result.outputs, [], 'no frame was completed');
  });
});
