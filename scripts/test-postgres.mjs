// A throwaway PostgreSQL server for the test run: initdb into a temp folder,
// trust auth on 127.0.0.1 only, fsync off (the data is thrown away), stopped
// by PID. Used by run-tests.mjs to run the store-dependent tests a second time
// on PostgreSQL, so the same suite proves the store portable.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], 'bin') : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start a server; resolves to { url, stop } or undefined (with the reason) when PostgreSQL is absent. */
export async function startTestPostgres() {
  const bin = pgBinDir();
  if (bin === undefined)
    return { reason: 'PostgreSQL is not installed (no initdb under /usr/lib/postgresql)' };
  const dir = mkdtempSync(join(tmpdir(), 'openfarm-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run it as the postgres system user then.
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, args) => {
    if (!asRoot) return execFileSync(cmd, args, { stdio: 'pipe' });
    return execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-o', opts, 'start']);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        process.kill(pid, 'SIGINT'); // fast shutdown
      } catch {}
      for (let i = 0; i < 100; i++) {
        const alive = spawnSync('kill', ['-0', String(pid)]).status === 0;
        if (!alive) break;
        spawnSync('sleep', ['0.1']);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
