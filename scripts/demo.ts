/**
 * `npm run demo` (scripts/setup.sh has run: Blender installed, packages built):
 * 1. generate the project's sample scene (an animated .blend with one texture
 *    referenced by a relative path and one by an absolute path);
 * 2. start `openfarm up` in the background: the API server and 2 local render
 *    nodes, data in ~/.openfarm-demo, client profile written as `up` does;
 * 3. `openfarm render` the scene, 8 frames at 64×64, downloading each frame to
 *    ./demo-output/ as soon as it is rendered;
 * 4. print where the frames are, the farm's URL and how to stop it, and leave
 *    the farm running.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSampleScene } from './sample-scene/generate.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'packages', 'cli', 'bin', 'openfarm.js');
const dataDir = process.env.OPENFARM_DEMO_DATA ?? join(homedir(), '.openfarm-demo');
const outDir = join(process.cwd(), 'demo-output');
const pidFile = join(dataDir, 'demo-farm.pid');
const logFile = join(dataDir, 'demo-farm.log');

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

if (!existsSync(join(repo, 'packages', 'cli', 'dist', 'index.js')))
  fail('the packages are not built; run `npm run build`');
mkdirSync(dataDir, { recursive: true });

// A farm left by an earlier demo would fight the new one over the same data: stop it.
if (existsSync(pidFile)) {
  const old = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(old, 'SIGTERM');
    console.log(`stopped the previous demo farm (pid ${old})`);
    await new Promise((r) => setTimeout(r, 3000));
  } catch {
    // it was not running any more
  }
}

console.log('1. generating the sample scene with Blender');
const scene = generateSampleScene({ outDir: join(tmpdir(), 'openfarm-demo-scene'), size: 64, frames: 8 });
console.log(`   ${scene.blendPath}`);

console.log('2. starting `openfarm up` with 2 render nodes in the background');
const log = openSync(logFile, 'w');
const farm = spawn(process.execPath, [cli, 'up', '--data', dataDir, '--port', '0', '--workers', '2'], {
  detached: true,
  stdio: ['ignore', log, log],
});
farm.unref();
closeSync(log);
writeFileSync(pidFile, String(farm.pid));
let url: string | undefined;
for (let i = 0; i < 120 && url === undefined; i++) {
  await new Promise((r) => setTimeout(r, 500));
  url = /openfarm is up: (\S+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
  if (farm.exitCode !== null) break;
}
if (url === undefined) fail(`the farm did not start; its log:\n${readFileSync(logFile, 'utf8')}`);
console.log(`   ${url}`);

console.log('3. rendering 8 frames on the farm, downloading them as they finish');
const render = spawnSync(
  process.execPath,
  [cli, 'render', scene.blendPath, '--frames', '1-8', '--to', outDir],
  {
    stdio: 'inherit',
  },
);
if (render.status !== 0) fail(`the render failed (exit ${render.status}); farm log: ${logFile}`);

const frames = readdirSync(outDir)
  .filter((f) => f.endsWith('.png'))
  .sort();
console.log(`\nopenfarm demo done: ${frames.length} frames in ${outDir}`);
for (const f of frames) console.log(`  ${join(outDir, f)}`);
console.log(`\nThe farm is still running at ${url} (log: ${logFile}).`);
console.log('Render another scene with: node packages/cli/bin/openfarm.js render SCENE --to DIR');
console.log(`Stop the farm with: kill ${farm.pid}`);
// `openfarm up` printed a one-time sign-in link to the dashboard for the demo's user.
const signIn = /dashboard \(one-time sign-in link\): (\S+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
if (signIn !== undefined) console.log(`\nOpen the dashboard (this link signs you in, once):\n  ${signIn}`);
process.exit(0);
