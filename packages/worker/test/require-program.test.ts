/**
 * The gate of tests that need a real program: a test file run in a child
 * `node --test` with a PATH that lacks the program is skipped with a message
 * locally, and fails under CI=true.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('require-program-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// A PATH holding only `sh` (present on every machine): python3, blender and oiiotool are not on it.
const bin = mkdtempSync(join(tmpdir(), 'openfarm-require-program-'));
symlinkSync('/bin/sh', join(bin, 'sh'));
after(() => rmSync(bin, { recursive: true, force: true }));

function runChild(program: string, ci: boolean, probeArgs?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin, PROGRAM: program };
  if (probeArgs !== undefined) env.PROBE_ARGS = probeArgs;
  // Set by the parent runner; left in place, the child would refuse to run files itself.
  delete env.NODE_TEST_CONTEXT;
  if (ci) env.CI = 'true';
  else delete env.CI;
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', child], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

for (const program of ['python3', 'blender', 'oiiotool']) {
  test(`${program} missing: skipped with a message locally`, () => {
    const r = runChild(program, false);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`# SKIP ${program} is not installed`));
  });

  test(`${program} missing under CI=true: the run fails`, () => {
    const r = runChild(program, true);
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`${program} is not installed and CI=true`));
  });
}

test('a program on the PATH passes the gate under CI=true', () => {
  // `sh --version` fails on dash: probe with what every sh answers.
  const r = runChild('sh', true, '-c true');
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /# pass 1/);
});
