import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-sdk-atomic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PAD = 1024 * 1024;
const sdkEntry = pathToFileURL(fileURLToPath(new URL('../src/json/atomic-write.ts', import.meta.url))).href;

/** A child that rewrites `path` with 1 MB documents as fast as it can, printing each version it starts. */
function startWriter(path: string): ChildProcess {
  const script = `
    import { writeJsonAtomic } from ${JSON.stringify(sdkEntry)};
    const pad = 'x'.repeat(${PAD});
    for (let version = 1; ; version++) {
      process.stdout.write(version + '\\n');
      await writeJsonAtomic(${JSON.stringify(path)}, { version, pad });
    }
  `;
  return spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}

test('readers and a crash see the old or the new file, never half of one', async () => {
  const path = join(dir, 'task.json');
  await writeFile(path, JSON.stringify({ version: 0, pad: 'x'.repeat(PAD) }));
  const child = startWriter(path);
  let started = 0;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout?.on('data', (chunk: Buffer) => {
      started = Number(chunk.toString().trim().split('\n').pop());
      if (started >= 2) resolve();
    });
  });
  // Read while the writer rewrites the file: every read must be one whole document.
  const seen = new Set<number>();
  for (let read = 0; read < 80; read++) {
    const doc = JSON.parse(await readFile(path, 'utf8')) as { version: number; pad: string };
    assert.equal(doc.pad.length, PAD);
    seen.add(doc.version);
  }
  // Then kill it, most likely mid-write, and look at what is left.
  child.kill('SIGKILL');
  await exited;
  const last = JSON.parse(await readFile(path, 'utf8')) as { version: number; pad: string };
  assert.equal(last.pad.length, PAD);
  assert.ok(last.version >= 1 && last.version <= started, `version ${last.version} after ${started} started`);
  assert.ok(seen.size > 1, 'the reads overlapped several writes');
});
