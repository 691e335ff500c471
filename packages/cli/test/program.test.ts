import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildProgram } from 'openfarm';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

function run(args: string[]): { out: string; code: number | undefined } {
  let out = '';
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  try {
    program.parse(['node', 'openfarm', ...args]);
    return { out, code: undefined };
  } catch (err) {
    return { out, code: (err as { exitCode?: number }).exitCode };
  }
}

test('--version prints the package version', () => {
  const r = run(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), pkg.version);
});

test('--help describes the command', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /Usage: openfarm/);
  assert.match(r.out, /--version/);
});

test('an unknown option is an error, not silence', () => {
  const r = run(['--no-such-option']);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /unknown option/);
});

// The built binary is what users run; it exists once `npm run build` has run.
const bin = fileURLToPath(new URL('../bin/openfarm.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
test('the built bin answers --version', { skip: built ? false : 'not built' }, () => {
  const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
});
