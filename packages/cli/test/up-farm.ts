/**
 * A farm `openfarm up` starts as a child process (the API server and local
 * Blender nodes), and `openfarm` commands run against it as a new user types
 * them, each a child process, for the end-to-end tests of the client commands.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { killLeftoverRenderers } from '@openfarm/worker';
import { spawnCli } from './cli-runner.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface UpFarm {
  /** The environment every command runs with: the profile `up` wrote, the SDK's log folder. */
  readonly env: Record<string, string>;
  readonly dataDir: string;
  /** Everything `up` printed so far (its nodes' lines too). */
  output(): string;
  /** Run `openfarm ARGS` as a child process to its end (stdout and stderr are pipes, not a terminal). */
  openfarm(...args: string[]): Promise<Run>;
  /** Stop `up` (SIGTERM, then SIGKILL after 30 s), end any renderer its nodes left, remove `root`. */
  stop(): Promise<void>;
}

/** The run, asserting it exited 0 (the message shows what it printed). */
export function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * `openfarm up --data ROOT/data --port 0 --workers N`, with its profile in
 * ROOT/client.json; resolves once it says it is up.
 */
export async function startUpFarm(root: string, workers = 1): Promise<UpFarm> {
  const env = { OPENFARM_CONFIG: join(root, 'client.json'), RAYVISION_LOG: join(root, 'sdk') };
  for (const name of ['OPENFARM_URL', 'RAYVISION_API_ACCESS_ID', 'RAYVISION_API_KEY', 'OPENFARM_DATA'])
    delete process.env[name];
  const dataDir = join(root, 'data');
  let out = '';
  const up: ChildProcess = spawnCli(
    ['up', '--data', dataDir, '--port', '0', '--workers', String(workers)],
    env,
  );
  up.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  up.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async (): Promise<void> => {
    if (up.exitCode === null && up.signalCode === null) {
      const exited = new Promise((r) => up.once('exit', r));
      up.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
      if (up.exitCode === null && up.signalCode === null) up.kill('SIGKILL');
    }
    for (let i = 1; i <= workers; i++) killLeftoverRenderers(join(dataDir, 'nodes', `local-${i}`));
    await rm(root, { recursive: true, force: true });
  };
  const end = Date.now() + 90_000;
  while (!/openfarm is up: http/.test(out)) {
    if (Date.now() > end || up.exitCode !== null) {
      await stop();
      throw new Error(`up did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    env,
    dataDir,
    output: () => out,
    openfarm(...args: string[]): Promise<Run> {
      const child = spawnCli(args, env);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
    },
    stop,
  };
}
