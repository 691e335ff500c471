// A throwaway S3 server for tests: Ceph's RADOS Gateway on a one-node cluster
// (one monitor, one OSD keeping objects in RAM with memstore, pool size 1,
// auth none), every path in a fresh short temp folder, every port on loopback,
// stopped by PID. About 3 s to start and about 105 MiB of RAM.
//
// The shape is what Ceph's own vstart.sh sets up for developers. Each setting
// below answers a problem met starting it:
// - `ms mon client mode = crc`: radosgw defaults to `secure`, impossible with
//   auth none, and then hangs for minutes on "get_initial_auth_request returned -13".
// - `paxos propose interval = 0.05`: RGW creates four pools at start and each
//   monitor commit waits the interval (1 s by default: 13 s to start).
// - Daemons fork and inherit file descriptors: each gets stdin from /dev/null and
//   its output in a log file, so no caller's pipe stays open behind it.
// - radosgw blocks until it reaches the cluster before forking: it runs under
//   `timeout`, and its PID is read from the pid file it writes just after forking.
// - A killed daemon may stay a zombie (kill -0 still succeeds): stop reads
//   /proc/PID/stat. radosgw ignores SIGTERM once its monitor is gone: SIGKILL all.
// - Admin sockets are Unix sockets (about 107 characters at most): short folder.
//
// Usage: `const rgw = await startTestRgw()` resolves to
// { endpoint, accessKeyId, secretAccessKey, region, stop() } or { reason } when
// Ceph is not installed or does not start. `node scripts/test-rgw.mjs` starts
// one, prints its settings and keeps it until Ctrl-C.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROGRAMS = ['ceph-mon', 'ceph-osd', 'radosgw', 'monmaptool', 'ceph', 'radosgw-admin'];
const BIN_DIRS = ['/usr/bin', '/usr/local/bin', '/usr/sbin'];

function findProgram(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), ...BIN_DIRS]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Run a program to its end with stdin from /dev/null and its output appended to `log`. */
function run(cmd, args, log, { capture = false } = {}) {
  return new Promise((resolve) => {
    const fd = openSync(log, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', capture ? 'pipe' : fd, fd] });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.once('error', (err) => {
      closeSync(fd);
      resolve({ code: -1, out: String(err) });
    });
    child.once('close', (code) => {
      closeSync(fd);
      resolve({ code: code ?? -1, out });
    });
  });
}

function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name in parentheses; Z is a zombie, X dead.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function readPid(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function config(dir, fsid, monPort, rgwPort) {
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${monPort}]
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr1 = false
ms bind msgr2 = true
ms mon client mode = crc
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
mon cluster log file = ${dir}/log/cluster.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
mon data avail warn = 1
mon data avail crit = 0
mon warn on insecure global id reclaim allowed = false
mon warn on pool no redundancy = false
mon osd full ratio = .99
mon osd nearfull ratio = .99
mon osd backfillfull ratio = .99

[mon]
mon data = ${dir}/mon.$id
paxos propose interval = 0.05

[osd]
osd data = ${dir}/osd.$id
osd objectstore = memstore
memstore device bytes = 2147483648

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw dns name = 127.0.0.1
rgw gc obj min wait = 30
rgw gc processor period = 30
`;
}

/** The PIDs a cluster folder's daemons wrote, SIGKILLed and waited for; then the folder is removed. */
function stopCluster(dir) {
  const pids = ['mon.a.pid', 'osd.0.pid', 'client.rgw.pid']
    .map((f) => readPid(join(dir, 'run', f)))
    .filter((p) => p !== undefined);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Start a cluster; resolves to the S3 settings and stop(), or { reason } when RGW is absent or fails. */
export async function startTestRgw() {
  const missing = PROGRAMS.filter((p) => findProgram(p) === undefined);
  if (missing.length > 0) {
    return {
      reason: `Ceph RGW is not installed (missing ${missing.join(', ')}; scripts/setup.sh installs it)`,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ofrgw-'));
  const logDir = join(dir, 'log');
  for (const sub of ['run', 'log', 'mon.a', 'osd.0', 'rgw']) mkdirSync(join(dir, sub), { recursive: true });
  const log = join(logDir, 'start.log');
  const conf = join(dir, 'ceph.conf');
  const fsid = randomUUID();
  const monPort = await freePort();
  const rgwPort = await freePort();
  writeFileSync(conf, config(dir, fsid, monPort, rgwPort));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    stopCluster(dir);
  };
  // A test process that ends without calling stop() still takes its cluster down.
  process.on('exit', stop);
  const step = async (what, cmd, args) => {
    const r = await run(cmd, ['-c', conf, ...args], log);
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${tail(log)}`);
  };
  try {
    const monmap = join(dir, 'monmap');
    const m = await run(
      'monmaptool',
      ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, monmap],
      log,
    );
    if (m.code !== 0) throw new Error(`monmaptool failed:\n${tail(log)}`);
    await step('ceph-mon --mkfs', 'ceph-mon', ['--mkfs', '-i', 'a', '--monmap', monmap]);
    await step('ceph-mon', 'ceph-mon', ['-i', 'a']);
    const ceph = (args) =>
      run('ceph', ['-c', conf, '--connect-timeout', '5', ...args], log, { capture: true });
    await waitFor('the monitor', async () => (await ceph(['mon', 'stat'])).code === 0, 20_000);
    const osdUuid = randomUUID();
    const created = await ceph(['osd', 'new', osdUuid]);
    if (created.code !== 0 || created.out.trim() !== '0')
      throw new Error(`ceph osd new failed:\n${tail(log)}`);
    await step('ceph-osd --mkfs', 'ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    await step('ceph-osd', 'ceph-osd', ['-i', '0']);
    await waitFor(
      'the OSD to come up',
      async () => {
        const r = await ceph(['osd', 'stat', '-f', 'json']);
        try {
          return r.code === 0 && JSON.parse(r.out).num_up_osds === 1;
        } catch {
          return false;
        }
      },
      30_000,
    );
    // radosgw stays in the foreground until it reaches the cluster, then forks.
    const g = await run('timeout', ['60', 'radosgw', '-c', conf, '-n', 'client.rgw'], log);
    if (g.code !== 0)
      throw new Error(`radosgw failed (exit ${g.code}):\n${tail(join(logDir, 'client.rgw.log'))}`);
    await waitFor(
      'the radosgw pid file',
      async () => readPid(join(dir, 'run', 'client.rgw.pid')) !== undefined,
      10_000,
    );
    await waitFor('radosgw to answer on its port', () => portAnswers(rgwPort), 30_000);
    const accessKeyId = `OF${randomBytes(9).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    const user = await run(
      'radosgw-admin',
      [
        '-c',
        conf,
        '-n',
        'client.rgw',
        'user',
        'create',
        '--uid',
        'openfarm-test',
        '--display-name',
        'openfarm tests',
        '--access-key',
        accessKeyId,
        '--secret-key',
        secretAccessKey,
      ],
      log,
      { capture: true },
    );
    if (user.code !== 0) throw new Error(`radosgw-admin user create failed:\n${tail(log)}`);
    return {
      endpoint: `http://127.0.0.1:${rgwPort}`,
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey,
      dir,
      stop,
    };
  } catch (err) {
    stop();
    return { reason: `Ceph RGW did not start: ${err.message}` };
  }
}

/** For a test file: the RGW, or { skip: reason }; under CI=true a missing RGW is an error. */
export async function rgwForTestFile() {
  const rgw = await startTestRgw();
  if (rgw.endpoint !== undefined) return rgw;
  if (process.env.CI === 'true') throw new Error(`CI needs Ceph RGW: ${rgw.reason}`);
  return { skip: rgw.reason };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rgw = await startTestRgw();
  if (rgw.endpoint === undefined) {
    console.error(rgw.reason);
    process.exit(1);
  }
  console.log(
    JSON.stringify({
      endpoint: rgw.endpoint,
      region: rgw.region,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
    }),
  );
  const quit = () => {
    rgw.stop();
    process.exit(0);
  };
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
  setInterval(() => {}, 1 << 30);
}
