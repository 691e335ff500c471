/**
 * Runs a remap script the adapters write under Python 3 with a stand-in for
 * the DCC's module (test/dcc-stand-ins), and returns what the attributes or
 * parameters hold afterwards, plus the script's output.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const STAND_INS = fileURLToPath(new URL('./dcc-stand-ins', import.meta.url));

export const pythonSkip =
  spawnSync('python3', ['--version']).status === 0
    ? false
    : process.env.CI === 'true'
      ? false // under CI a missing python3 must fail, not skip
      : 'python3 not installed';

export function runWithStandIn(
  dcc: 'clarisse' | 'katana',
  script: string,
  items: readonly unknown[],
): { values: [string, string, unknown][]; stdout: string } {
  const driver =
    dcc === 'clarisse'
      ? `import json, runpy, ix\nrunpy.run_path(${JSON.stringify(script)})\nprint("STATE " + json.dumps(ix.dump()))`
      : `import json, runpy, Katana\nrunpy.run_path(${JSON.stringify(script)})\nKatana.run_scene_load()\nprint("STATE " + json.dumps(Katana.dump()))`;
  const r = spawnSync('python3', ['-c', driver], {
    env: { ...process.env, PYTHONPATH: `${STAND_INS}/${dcc}`, OPENFARM_STAND_IN: JSON.stringify(items) },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  const state = r.stdout.split('\n').find((l) => l.startsWith('STATE '));
  return { values: JSON.parse(state?.slice(6) ?? '[]'), stdout: r.stdout };
}
