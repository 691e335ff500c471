/**
 * Issue 15 item 14 (server side), each a clear message instead of a puzzle:
 * `openfarm server --data /proc/x` spun at 100 % CPU with no output (Node's
 * recursive mkdir retries ENOENT forever there); a data directory on a
 * read-only mount was reported as ENOENT; an empty nonce answered 7001
 * ("replayed") instead of a signature error.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENDPOINTS, signHeaders } from '@openfarm/protocol';
import { startServer } from '@openfarm/server';
import { startTestFarm } from '../support/farm.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const ENTRY = "import { run } from 'openfarm'; await run(['node', 'openfarm', ...process.argv.slice(1)]);";

/** Run `openfarm …` as a user would; kill it after `ms` if it has not ended by then. */
function openfarm(
  args: string[],
  ms: number,
): Promise<{ code: number | null; output: string; killed: boolean }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', ENTRY, ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, ms);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, killed });
    }),
  );
}

test('openfarm server --data /proc/x fails at once, naming the path and the reason', async () => {
  // Loading the TypeScript sources takes seconds on a busy machine; the old spin never ended.
  const r = await openfarm(['server', '--data', '/proc/x/data', '--port', '0'], 45_000);
  assert.equal(r.killed, false, `still running after 45 s: ${r.output}`);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /data directory \/proc\/x\/data: cannot create it: .*\(ENOENT\)/);
});

const isRoot = process.getuid?.() === 0;
test('a data directory on a read-only mount says EROFS, naming the path', {
  skip: isRoot ? false : 'needs root to mount a read-only tmpfs',
}, async () => {
  const mountPoint = await mkdtemp(join(tmpdir(), 'openfarm-readonly-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', mountPoint]);
  try {
    const dataDir = join(mountPoint, 'farm', 'data');
    await assert.rejects(startServer({ dataDir, port: 0, logLevel: 'silent' }), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `^data directory ${dataDir}: cannot create it: the file system is mounted read-only \\(EROFS\\)`,
        ),
      );
      return true;
    });
  } finally {
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  }
});

test('an empty nonce is a signature error (611) naming the header, not a replay (7001)', async () => {
  const farm = await startTestFarm();
  try {
    const user = await farm.addUser('nonce');
    const path = ENDPOINTS['user.queryUserProfile'].path;
    for (const nonce of ['', undefined]) {
      const headers = signHeaders({
        accessId: user.accessId,
        accessKey: user.accessKey,
        domain: farm.host,
        path,
        body: {},
        platform: '2',
        nonce: '',
      });
      if (nonce === undefined) delete (headers as Record<string, string>).nonce;
      const res = await fetch(`${farm.url}${path}`, { method: 'POST', headers, body: '{}' });
      const envelope = (await res.json()) as { code: number; message: string };
      assert.equal(envelope.code, 611, JSON.stringify(envelope));
      assert.match(envelope.message, /nonce header is required/);
    }
  } finally {
    await farm.close();
  }
});
