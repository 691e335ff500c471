/**
 * Runs a remap script the adapters write under Python 3 with a stand-in for
 * the DCC's module (test/dcc-stand-ins), and returns what the attributes or
 * parameters hold afterwards, plus the script's output.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

const STAND_INS = fileURLToPath(new URL('./dcc-stand-ins', import.meta.url));

/** Skip message when python3 is missing on a laptop; under CI=true a missing python3 fails the run. */
export const pythonSkip = requireProgram('python3');

const DRIVERS = {
  clarisse: (script: string) =>
    `import json, runpy, ix\nrunpy.run_path(${JSON.stringify(script)})\nprint("STATE " + json.dumps(ix.dump()))`,
  katana: (script: string) =>
    `import json, runpy, Katana\nrunpy.run_path(${JSON.stringify(script)})\nKatana.run_scene_load()\nprint("STATE " + json.dumps(Katana.dump()))`,
  houdini: (script: string) =>
    `import json, runpy, sys, hou\nsys.argv = [${JSON.stringify(script)}] + sys.argv[1:]\nrunpy.run_path(${JSON.stringify(script)}, run_name="__main__")\nprint("STATE " + json.dumps(hou.dump()))`,
};

export function runWithStandIn<T = [string, string, unknown][]>(
  dcc: keyof typeof DRIVERS,
  script: string,
  items: unknown,
  opts: { args?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): { values: T; stdout: string } {
  const r = spawnSync('python3', ['-c', DRIVERS[dcc](script), ...(opts.args ?? [])], {
    env: {
      ...process.env,
      ...opts.env,
      PYTHONPATH: `${STAND_INS}/${dcc}`,
      OPENFARM_STAND_IN: JSON.stringify(items),
    },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  const state = r.stdout.split('\n').find((l) => l.startsWith('STATE '));
  return { values: JSON.parse(state?.slice(6) ?? '[]'), stdout: r.stdout };
}
