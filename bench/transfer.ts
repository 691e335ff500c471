/**
 * Transfer engine vs rsync (daemon mode), both over loopback, in one run:
 *
 * 1. cold upload of a 1 GB tree (4 × 200 MB + 2000 × 100 KB) into an empty farm
 *    / an empty rsync module: throughput, and openfarm's ratio to rsync
 *    (goal ≥ 1.0×);
 * 2. re-sync of an unchanged 10,000-file tree: wall time, and openfarm's
 *    ratio to rsync (goal ≤ 1.0×).
 *
 * The farm runs in its own process (as `openfarm server` would), the client in
 * this one; rsync's daemon and client are separate processes too. Neither side
 * fsyncs (rsync does not by default; the farm runs with `durableBlobs: false`).
 * `OPENFARM_BENCH_SCALE=0.1` shrinks every file count and size for a quick run;
 * `OPENFARM_BENCH_RUNS=3` repeats the cold upload and reports medians.
 * `OPENFARM_BENCH_RGW=1` also uploads the cold tree into a farm whose blobs live in a throwaway
 * Ceph RGW (scripts/test-rgw.mjs; objects in RAM, memstore) and reports it beside the local farm's.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RayvisionAPI, RayvisionUpload } from '@openfarm/sdk';
import { startTestRgw } from '../scripts/test-rgw.mjs';

const SCALE = Number(process.env.OPENFARM_BENCH_SCALE ?? '1');
const MB = 1024 * 1024;
const BIG_FILES = Math.max(1, Math.round(4 * SCALE));
const BIG_SIZE = Math.round(200 * MB * Math.min(1, SCALE * 2));
const SMALL_FILES = Math.max(1, Math.round(2000 * SCALE));
const SMALL_SIZE = 100 * 1024;
const RESYNC_FILES = Math.max(1, Math.round(10_000 * SCALE));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

async function writeRandomFile(path: string, size: number): Promise<void> {
  const parts: Buffer[] = [];
  for (let done = 0; done < size; done += 16 * MB) parts.push(randomBytes(Math.min(16 * MB, size - done)));
  await writeFile(path, Buffer.concat(parts));
}

async function makeColdTree(root: string): Promise<number> {
  await mkdir(join(root, 'caches'), { recursive: true });
  let bytes = 0;
  for (let i = 0; i < BIG_FILES; i++) {
    await writeRandomFile(join(root, 'caches', `sim.${i}.vdb`), BIG_SIZE);
    bytes += BIG_SIZE;
  }
  for (let i = 0; i < SMALL_FILES; i++) {
    const dir = join(root, 'tex', String(Math.floor(i / 100)));
    if (i % 100 === 0) await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `t${i}.png`), randomBytes(SMALL_SIZE));
    bytes += SMALL_SIZE;
  }
  return bytes;
}

async function makeResyncTree(root: string): Promise<void> {
  for (let i = 0; i < RESYNC_FILES; i++) {
    const dir = join(root, String(Math.floor(i / 500)));
    if (i % 500 === 0) await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `f${i}.txt`), `file ${i} ${randomBytes(24).toString('hex')}\n`);
  }
}

async function startRsyncDaemon(work: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const conf = join(work, 'rsyncd.conf');
  await mkdir(join(work, 'rsync-dest'), { recursive: true });
  await writeFile(
    conf,
    // As root the daemon would switch to "nobody"; keep the caller's ids so it can write the temp folder.
    `pid file = ${join(work, 'rsyncd.pid')}\nuse chroot = no\nuid = ${process.getuid?.() ?? 0}\ngid = ${process.getgid?.() ?? 0}\n` +
      `[dest]\n  path = ${join(work, 'rsync-dest')}\n  read only = false\n`,
  );
  const child = spawn(
    'rsync',
    ['--daemon', '--no-detach', `--config=${conf}`, `--port=${port}`, '--address=127.0.0.1'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync('rsync', [`rsync://127.0.0.1:${port}/`], { stdio: 'ignore' }).status === 0)
      return { port, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the rsync daemon did not start');
}

/** CPU seconds a process has used, with those of its children it has waited for (Linux /proc). */
function cpuSeconds(pid: number | 'self'): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** User and kernel CPU seconds of a process, its waited-for children included (Linux /proc). */
function cpuSplit(pid: number | 'self'): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime, stime, cutime, cstime: fields 14–17 of stat(5), in clock ticks (100 per second on Linux).
  const at = (i: number) => Number(fields[i] ?? 0) / 100;
  return { user: at(11) + at(13), system: at(12) + at(14) };
}

/** Wait until `pid` has reaped all its children (their CPU is then in its cutime/cstime). */
async function childrenReaped(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() === '') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * CPU seconds of one SHA-256 pass over `bytes` on this machine. openfarm hashes every byte on
 * both sides (the client for the content address, the farm to verify it), so twice this is
 * work it cannot skip; rsync's whole-file check (xxh128 or MD5) costs far less.
 */
function sha256Seconds(bytes: number): number {
  const buffer = randomBytes(64 * MB);
  const started = process.cpuUsage();
  for (let i = 0; i < 4; i++) createHash('sha256').update(buffer).digest();
  const used = process.cpuUsage(started);
  return (((used.user + used.system) / 1e6) * bytes) / (4 * buffer.length);
}

function rsync(src: string, port: number, module: string): number {
  const started = performance.now();
  const r = spawnSync('rsync', ['-a', `${src}/`, `rsync://127.0.0.1:${port}/dest/${module}/`], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`rsync exited with ${r.status}`);
  return (performance.now() - started) / 1000;
}

// rsync does not fsync what it receives, so the farm runs without its fsyncs too
// (durableBlobs: false): objects are still verified and published atomically.
// A second argument is a --storage location (an s3:// URL): the blobs go there instead.
const FARM_ENTRY = `
import { createUser, openBlobStorage, startServer, transferPlugin } from '@openfarm/server';
const blobs = process.argv[2] ? (await openBlobStorage(process.argv[2])).blobs : undefined;
const server = await startServer({ dataDir: process.argv[1], port: 0, logLevel: 'silent', plugins: [transferPlugin({ durableBlobs: false, ...(blobs ? { blobs } : {}) })] });
const user = await createUser(server.farm.store.db, 'bench');
// Exit on SIGTERM (instead of being killed by it), so a --cpu-prof flag can write its profile.
process.once('SIGTERM', () => process.exit(0));
console.log(JSON.stringify({ url: server.url, user }));
`;

async function startFarm(
  dataDir: string,
  storage?: { url: string; env: NodeJS.ProcessEnv },
): Promise<{ child: ChildProcess; url: string; accessId: string; accessKey: string }> {
  const child = spawn(
    process.execPath,
    [
      // OPENFARM_BENCH_FARM_FLAGS passes node flags to the farm's process, e.g. "--cpu-prof --cpu-prof-dir=DIR".
      ...(process.env.OPENFARM_BENCH_FARM_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--conditions=source',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      FARM_ENTRY,
      dataDir,
      ...(storage !== undefined ? [storage.url] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...storage?.env } },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the farm exited with ${code}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
  });
  child.removeAllListeners('exit');
  const { url, user } = JSON.parse(line) as { url: string; user: { accessId: string; accessKey: string } };
  return { child, url, accessId: user.accessId, accessKey: user.accessKey };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  return exited;
}

/**
 * Upload one tree with the local transfer database named `name`: a new name hashes every file;
 * the same name again knows the unchanged ones.
 */
async function openfarmUpload(
  farm: { url: string; accessId: string; accessKey: string },
  work: string,
  name: string,
  src: string,
  timeoutSeconds?: number,
): Promise<{ seconds: number; phases: string }> {
  const api = new RayvisionAPI({
    ...(timeoutSeconds !== undefined ? { timeout: timeoutSeconds } : {}),
    accessId: farm.accessId,
    accessKey: farm.accessKey,
    domain: new URL(farm.url).host,
    protocol: 'http',
    platform: '2',
  });
  const ini = join(work, `${name}.ini`);
  await writeFile(
    ini,
    `[TRANSFER_LOG_PATH]\ntransfer_log_path = ${work}\n[DATABASE_CONFIG]\ndb_path = ${join(work, `${name}-db`)}\n`,
  );
  const upload = new RayvisionUpload(api, { dbConfigPath: ini });
  /** When each phase of the upload began, seconds from its start. */
  const phases = new Map<string, number>();
  const started = performance.now();
  upload.on('progress', (p) => {
    if (!phases.has(p.phase)) phases.set(p.phase, (performance.now() - started) / 1000);
  });
  const r = await upload.uploadFiles('input', [{ localPath: src, serverPath: `/bench/${name}` }], {
    jobName: name,
  });
  if (r.failures.length > 0) throw new Error(`${r.failures.length} files failed`);
  const seconds = (performance.now() - started) / 1000;
  const line = [...phases.entries()]
    .map(([phase, at], i, all) => `${phase} ${((all[i + 1]?.[1] ?? seconds) - at).toFixed(2)} s`)
    .join(', ');
  return { seconds, phases: line };
}

interface ColdRun {
  rsync: number;
  rsyncCpu: number;
  openfarm: number;
  client: { user: number; system: number };
  farm: { user: number; system: number };
  phases: string;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  if (spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('rsync is not installed: run scripts/setup.sh or apt-get install rsync');
  }
  // OPENFARM_BENCH_RUNS=N repeats the cold upload N times (each tool into an empty destination, a
  // fresh farm each time) and reports the medians: on a shared virtual machine one run can be off
  // by a factor of two either way.
  const runs = Math.max(1, Math.floor(Number(process.env.OPENFARM_BENCH_RUNS ?? '1')) || 1);
  const work = await mkdtemp(join(tmpdir(), 'openfarm-bench-transfer-'));
  const children: ChildProcess[] = [];
  try {
    console.log(`building the trees (scale ${SCALE}) …`);
    const cold = join(work, 'cold');
    const coldBytes = await makeColdTree(cold);
    const resync = join(work, 'resync');
    await makeResyncTree(resync);

    const daemon = await startRsyncDaemon(work);
    children.push(daemon.child);
    const daemonPid = daemon.child.pid as number;

    const fileCount = `${BIG_FILES} × ${BIG_SIZE / MB} MB + ${SMALL_FILES} × ${SMALL_SIZE / 1024} KB`;
    const coldRuns: ColdRun[] = [];
    let farm: Awaited<ReturnType<typeof startFarm>> | undefined;
    for (let run = 1; run <= runs; run++) {
      const suffix = runs === 1 ? '' : ` (run ${run} of ${runs})`;
      console.log(`cold upload of ${(coldBytes / MB).toFixed(0)} MB (${fileCount})${suffix} …`);
      // A fresh farm for every run, so nothing is on it yet; the last one serves the re-sync below.
      if (farm !== undefined) await stop(farm.child);
      farm = await startFarm(join(work, `farm-${run}`));
      children.push(farm.child);
      const farmPid = farm.child.pid as number;
      // CPU of both sides: rsync's client and the daemon's per-connection child are waited-for children;
      // openfarm's client is this process, its farm the child process.
      // Flush dirty pages first, so neither tool pays for the writeback of the trees or of the other's upload.
      spawnSync('sync');
      const rsync0 = cpuSeconds('self') + cpuSeconds(daemonPid);
      const rsyncSeconds = rsync(cold, daemon.port, `cold-${run}`);
      await childrenReaped(daemonPid);
      const rsyncCpu = cpuSeconds('self') + cpuSeconds(daemonPid) - rsync0;
      spawnSync('sync');
      const client0 = process.cpuUsage();
      const farm0 = cpuSplit(farmPid);
      const up = await openfarmUpload(farm, work, `cold-${run}`, cold);
      const clientCpu = process.cpuUsage(client0);
      const farm1 = cpuSplit(farmPid);
      coldRuns.push({
        rsync: rsyncSeconds,
        rsyncCpu,
        openfarm: up.seconds,
        client: { user: clientCpu.user / 1e6, system: clientCpu.system / 1e6 },
        farm: { user: farm1.user - farm0.user, system: farm1.system - farm0.system },
        phases: up.phases,
      });
      if (runs > 1)
        console.log(
          `  rsync ${rsyncSeconds.toFixed(2)} s, openfarm ${up.seconds.toFixed(2)} s: ${(rsyncSeconds / up.seconds).toFixed(2)}×`,
        );
    }
    if (farm === undefined) throw new Error('no cold run');

    const rgwCold =
      process.env.OPENFARM_BENCH_RGW === '1' ? await coldUploadIntoRgw(work, cold, coldBytes) : undefined;

    console.log(`re-sync of an unchanged ${RESYNC_FILES}-file tree …`);
    rsync(resync, daemon.port, 'resync');
    await openfarmUpload(farm, work, 'resync', resync);
    const rsyncAgain = rsync(resync, daemon.port, 'resync');
    // The same local database as the first upload of the tree: unchanged files are known.
    const again = await openfarmUpload(farm, work, 'resync', resync);

    const pick = (f: (r: ColdRun) => number): number => median(coldRuns.map(f));
    const rsyncCold = pick((r) => r.rsync);
    const farmCold = pick((r) => r.openfarm);
    // Each run pairs the two tools a minute apart, so the median of the runs' ratios is the figure
    // judged; the ratio of the two medians is printed beside it.
    const ratio = pick((r) => r.rsync / r.openfarm);
    const rsyncCpu = pick((r) => r.rsyncCpu);
    const farmCpu = pick((r) => r.client.user + r.client.system + r.farm.user + r.farm.system);
    const of = runs === 1 ? '' : `, median of ${runs}`;
    const mbps = (sec: number) => (coldBytes / MB / sec).toFixed(1);
    console.log('');
    console.log('| measurement | rsync daemon | openfarm | openfarm / rsync | goal |');
    console.log('|---|---|---|---|---|');
    console.log(
      `| cold upload, ${(coldBytes / MB).toFixed(0)} MB${of} | ${rsyncCold.toFixed(2)} s, ${mbps(rsyncCold)} MB/s | ` +
        `${farmCold.toFixed(2)} s, ${mbps(farmCold)} MB/s | ${ratio.toFixed(2)}× throughput` +
        (runs === 1
          ? ''
          : ` (median of the runs' ratios; ratio of the medians ${(rsyncCold / farmCold).toFixed(2)}×)`) +
        ' | ≥ 1.0× |',
    );
    if (rgwCold !== undefined) {
      console.log(
        `| cold upload into Ceph RGW (S3), ${(coldBytes / MB).toFixed(0)} MB | — | ${rgwCold.toFixed(2)} s, ${mbps(rgwCold)} MB/s | ` +
          `${(rsyncCold / rgwCold).toFixed(2)}× throughput (${(farmCold / rgwCold).toFixed(2)}× the local farm's) | — |`,
      );
    }
    console.log(
      `| unchanged re-sync, ${RESYNC_FILES} files | ${rsyncAgain.toFixed(2)} s | ${again.seconds.toFixed(2)} s | ` +
        `${(again.seconds / rsyncAgain).toFixed(2)}× time | ≤ 1.0× |`,
    );
    if (runs > 1) {
      const range = (f: (r: ColdRun) => number, digits = 2): string =>
        `${Math.min(...coldRuns.map(f)).toFixed(digits)}–${Math.max(...coldRuns.map(f)).toFixed(digits)}`;
      console.log(
        `Cold upload over the ${runs} runs: rsync ${range((r) => r.rsync)} s, openfarm ${range((r) => r.openfarm)} s, ` +
          `ratio ${range((r) => r.rsync / r.openfarm)}×.`,
      );
    }
    console.log('');
    console.log(
      `CPU seconds of the cold upload${of}, both sides together: rsync ${rsyncCpu.toFixed(2)} s, ` +
        `openfarm ${farmCpu.toFixed(2)} s (${(farmCpu / rsyncCpu).toFixed(2)}×; ${(farmCpu / (coldBytes / MB / 1024)).toFixed(2)} s per GB). ` +
        'Both ends share this machine, so the side needing more CPU is the slower one.',
    );
    console.log(
      `openfarm's CPU seconds, user + kernel${of}: client ${pick((r) => r.client.user).toFixed(2)} + ${pick((r) => r.client.system).toFixed(2)}, ` +
        `farm ${pick((r) => r.farm.user).toFixed(2)} + ${pick((r) => r.farm.system).toFixed(2)}`,
    );
    const hashing = 2 * sha256Seconds(coldBytes);
    console.log(
      `Two SHA-256 passes over ${(coldBytes / MB).toFixed(0)} MB (one per side) take ${hashing.toFixed(2)} CPU seconds here, ` +
        `${((100 * hashing) / rsyncCpu).toFixed(0)} % of rsync's CPU for the whole upload.`,
    );
    console.log(
      `openfarm, seconds from the first progress event of each phase to the next (last cold run): ${coldRuns.at(-1)?.phases}`,
    );
    console.log(`… and for the unchanged re-sync: ${again.phases}`);
  } finally {
    for (const c of children) await stop(c);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The cold tree into a fresh farm whose blobs live in a throwaway Ceph RGW: seconds, or undefined
 * (with the reason printed) when RGW is not installed.
 */
async function coldUploadIntoRgw(work: string, cold: string, coldBytes: number): Promise<number | undefined> {
  const rgw = await startTestRgw();
  if (rgw.endpoint === undefined) {
    console.log(`cold upload into Ceph RGW skipped: ${rgw.reason}`);
    return undefined;
  }
  let farm: Awaited<ReturnType<typeof startFarm>> | undefined;
  try {
    console.log(`cold upload of ${(coldBytes / MB).toFixed(0)} MB into a farm on Ceph RGW …`);
    farm = await startFarm(join(work, 'farm-rgw'), {
      url: `s3://bench/farm?endpoint=${encodeURIComponent(rgw.endpoint)}&forcePathStyle=true`,
      env: { AWS_ACCESS_KEY_ID: rgw.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey },
    });
    spawnSync('sync');
    // Resumable uploads are staged in the bucket as parts, so completing one sends at most one part;
    // the long timeout is for the chunks themselves on a loaded machine.
    return (await openfarmUpload(farm, work, 'cold-rgw', cold, 600)).seconds;
  } finally {
    if (farm !== undefined) await stop(farm.child);
    rgw.stop();
  }
}

await main();
