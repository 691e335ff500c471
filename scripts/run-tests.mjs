#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test (Node 20's --test does not expand
// globs) on the TypeScript sources: the "source" export condition makes
// `@openfarm/*` imports resolve to src/index.ts, loaded through tsx.
//
// Then the tests whose store can be PostgreSQL (the server's API, transfer and
// scheduler tests, the tenant attack tests, the CLI's server, users and workers
// commands, and the dashboard's routes) run a second time against a throwaway
// PostgreSQL server started here
// (OPENFARM_TEST_POSTGRES_URL), so one suite proves both stores: the scheduler's
// leases, reaper, timeouts and concurrent claims included. OPENFARM_TEST_POSTGRES=0
// skips that pass.
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestPostgres } from './test-postgres.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = readdirSync(join(root, 'packages'))
  .flatMap((pkg) => {
    try {
      return walk(join(root, 'packages', pkg, 'test'), []);
    } catch {
      return [];
    }
  })
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.OPENFARM_TEST_CONCURRENCY ?? '2';
function runNodeTests(list, env) {
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...list],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return r.status ?? 1;
}

let status = runNodeTests(files, {});

const storeTests = files.filter(
  (f) =>
    /packages\/server\/test\/(server|transfer|blob|scheduler|attacks\/tenant)-/.test(f) ||
    /packages\/cli\/test\/(server|users|workers)-command/.test(f) ||
    /packages\/web\/test\/dashboard-routes/.test(f),
);
if (process.env.OPENFARM_TEST_POSTGRES !== '0' && storeTests.length > 0) {
  const pg = await startTestPostgres();
  if (pg.url === undefined) {
    console.error(`# PostgreSQL pass: ${pg.reason}`);
    if (process.env.CI === 'true') status ||= 1; // CI must prove both stores
  } else {
    console.log(`# PostgreSQL pass: ${storeTests.length} files against ${pg.url}`);
    try {
      const pgStatus = runNodeTests(storeTests, { OPENFARM_TEST_POSTGRES_URL: pg.url });
      status = status || pgStatus;
    } finally {
      pg.stop();
    }
  }
}
process.exit(status);
