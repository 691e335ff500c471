/** `openfarm analyze` on the Maya project fixture, run in-process through the real command. */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildProgram } from 'openfarm';

const fixture = fileURLToPath(new URL('./fixtures/maya/project', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'openfarm-cli-analyze-'));
after(() => rmSync(root, { recursive: true, force: true }));
cpSync(fixture, join(root, 'project'), { recursive: true });
mkdirSync(join(root, 'project', 'sourceimages'), { recursive: true });
writeFileSync(join(root, 'project', 'sourceimages', 'wood_color.png'), 'png');
const workspace = join(root, 'ws');
mkdirSync(workspace);
const scene = join(root, 'project', 'scenes', 'shot010.ma');

async function analyze(args: string[]): Promise<{ ok: boolean; stdout: string; error: string }> {
  let stdout = '';
  try {
    await buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (s) => (stdout += s), writeErr: () => {} })
      .parseAsync(['node', 'openfarm', 'analyze', ...args]);
    return { ok: true, stdout, error: '' };
  } catch (err) {
    return { ok: false, stdout, error: (err as Error).message };
  }
}

test('analyze --json prints the job folder and the four files it wrote', async () => {
  const r = await analyze([
    scene,
    '--workspace',
    workspace,
    '--project',
    'demo',
    '--software-version',
    '2025',
    '--json',
  ]);
  assert.ok(r.ok, r.error);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['jobDir', 'task', 'asset', 'tips', 'upload']);
  const jobDir = out.jobDir as string;
  assert.ok(existsSync(jobDir) && jobDir.startsWith(workspace));
  for (const [key, file] of [
    ['task', 'task.json'],
    ['asset', 'asset.json'],
    ['tips', 'tips.json'],
    ['upload', 'upload.json'],
  ] as const) {
    assert.deepEqual(out[key], JSON.parse(readFileSync(join(jobDir, file), 'utf8')), file);
  }
  const task = out.task as { task_info: Record<string, string>; software_config: Record<string, unknown> };
  assert.equal(task.task_info.project_name, 'demo');
  assert.equal(task.software_config.cg_version, '2025');
  const tips = out.tips as Record<string, string[]>;
  assert.ok(tips['15013'] !== undefined, 'version mismatch warning');
  assert.ok(tips['10012'] !== undefined, 'missing files');
  const upload = out.upload as { asset: { local: string }[] };
  assert.ok(upload.asset.some((a) => a.local.endsWith('/sourceimages/wood_color.png')));
});

test('analyze without --json prints a summary', async () => {
  const r = await analyze([scene, '--workspace', workspace]);
  assert.ok(r.ok, r.error);
  assert.match(r.stdout, /^Maya 2024: /);
  assert.match(r.stdout, /job folder: /);
  // Tips are shown in words with their code: "warning 10012: A referenced file or HDRI is missing".
  assert.match(r.stdout, /\nwarning 10012: A referenced file or HDRI is missing\n/);
  assert.match(r.stdout, /\n {2}absentMap\.fileTextureName: sourceimages\/absent\.tif /);
});

test('analyze reports unknown formats, missing scenes and missing workspaces clearly', async () => {
  const txt = join(root, 'notes.txt');
  writeFileSync(txt, 'x');
  assert.match((await analyze([txt, '--workspace', workspace])).error, /no analyzer for this file extension/);
  assert.match(
    (await analyze([join(root, 'nope.ma'), '--workspace', workspace])).error,
    /scene file does not exist/,
  );
  assert.match(
    (await analyze([scene, '--workspace', join(root, 'nope')])).error,
    /workspace folder does not exist/,
  );
});
