/**
 * Issue 15 item 4: request bodies read before anyone is authenticated.
 * 16 concurrent 60 MB POSTs once took the server from 464 MB to 1.2 GB and
 * /healthz to 6.7 s. Against a real server in its own process, whose resident
 * memory the test reads from /proc: bodies without credentials, with an
 * access id nobody has, and with a real access id but a wrong signature
 * (those are read, but only as many at once as the unverified budget allows;
 * the rest are answered 503 SERVER_BUSY before their body is read).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { ENDPOINTS, signHeaders } from '@openfarm/protocol';

interface NewUserLike {
  accessId: string;
  accessKey: string;
}

const BODY_BYTES = 60 * 1024 * 1024;
const ATTACKERS = 16;
const PATH = ENDPOINTS['transmit.uploadJsonContent'].path;

let child: ChildProcess;
let dataDir: string;
let url: URL;
let user: NewUserLike;

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'openfarm-unauth-memory-'));
  child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(import.meta.dirname, 'memory-farm-child.ts'), dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`farm exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const started = JSON.parse(first) as { url: string; user: NewUserLike };
  url = new URL(started.url);
  user = started.user;
});

after(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

interface Outcome {
  status: number | undefined;
  code: number | undefined;
  error: string | undefined;
}

const PREFIX = Buffer.from('{"taskId":1,"fileName":"task.json","content":"');
const SUFFIX = Buffer.from('"}');

/** POST a valid JSON body of about `BODY_BYTES`, written 1 MiB at a time, and report what came back. */
function bigPost(headers: Record<string, string>): Promise<Outcome> {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  const total = PREFIX.length + BODY_BYTES + SUFFIX.length;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: PATH,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(total) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          let code: number | undefined;
          try {
            code = (JSON.parse(Buffer.concat(parts).toString('utf8')) as { code: number }).code;
          } catch {
            code = undefined;
          }
          done({ status: res.statusCode, code, error: undefined });
        });
        res.on('error', (e) => done({ status: res.statusCode, code: undefined, error: e.message }));
      },
    );
    req.on('error', (e) => done({ status: undefined, code: undefined, error: (e as Error).message }));
    req.write(PREFIX);
    let sent = 0;
    const pump = () => {
      while (sent < BODY_BYTES) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(SUFFIX);
    };
    pump();
  });
}

interface AttackResult {
  outcomes: Outcome[];
  peakRss: number;
  health: number[];
}

/**
 * /healthz probed from a process of its own, every 25 ms, so the attackers'
 * work in this process does not count as the server's answer time.
 */
async function startProber(): Promise<{ stop(): Promise<number[]> }> {
  const script = `
    const url = ${JSON.stringify(new URL('/healthz', url).toString())};
    let running = true;
    process.stdin.on('data', () => { running = false; });
    (async () => {
      await (await fetch(url)).arrayBuffer();
      console.log('ready');
      while (running) {
        const t0 = performance.now();
        const res = await fetch(url);
        await res.arrayBuffer();
        console.log(res.status === 200 ? (performance.now() - t0).toFixed(1) : 'status ' + res.status);
        await new Promise((r) => setTimeout(r, 25));
      }
      process.exit(0);
    })();`;
  const prober = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const input = createInterface({ input: prober.stdout! });
  await new Promise<void>((resolve, reject) => {
    prober.once('exit', (code) => reject(new Error(`the prober exited with ${code}`)));
    input.once('line', () => resolve());
  });
  input.on('line', (l) => lines.push(l));
  return {
    async stop() {
      const exited = new Promise((r) => prober.once('exit', r));
      prober.stdin!.end('stop\n');
      await exited;
      for (const l of lines) assert.match(l, /^\d+\.\d$/, `healthz answered ${l}`);
      return lines.map(Number);
    },
  };
}

/** ATTACKERS clients, each sending big bodies one after another for `ms`, while /healthz is probed. */
async function attack(headers: () => Record<string, string>, ms: number): Promise<AttackResult> {
  const pid = child.pid!;
  let peakRss = rssBytes(pid);
  const prober = await startProber();
  let running = true;
  const sampler = (async () => {
    while (running) {
      peakRss = Math.max(peakRss, rssBytes(pid));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 300));
  const deadline = performance.now() + ms;
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: ATTACKERS }, async () => {
      do outcomes.push(await bigPost(headers()));
      while (performance.now() < deadline);
    }),
  );
  running = false;
  await sampler;
  peakRss = Math.max(peakRss, rssBytes(pid));
  return { outcomes, peakRss, health: await prober.stop() };
}

/** Requests the server answered on PATH with `status`, from its own /metrics (open to loopback). */
async function answered(status: number): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const line = text
    .split('\n')
    .find((l) => l.includes(`route="${PATH}"`) && l.includes(`status="${status}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const MiB = 1024 * 1024;

function report(name: string, baseline: number, r: AttackResult): void {
  const tally = new Map<string, number>();
  for (const o of r.outcomes) {
    const k = String(o.code ?? o.error);
    tally.set(k, (tally.get(k) ?? 0) + 1);
  }
  console.log(
    `${name}: rss ${Math.round(baseline / MiB)} → peak ${Math.round(r.peakRss / MiB)} MiB; ` +
      `healthz ${r.health.length} probes, median ${quantile(r.health, 0.5).toFixed(1)} ms, ` +
      `p90 ${quantile(r.health, 0.9).toFixed(1)} ms, max ${Math.max(...r.health).toFixed(1)} ms; ` +
      `${r.outcomes.length} requests: ${JSON.stringify(Object.fromEntries(tally))}`,
  );
}

/** What a client sees when the server answers before reading its body: the answer, or a cut connection. */
function refusedUnread(o: Outcome, code: number): boolean {
  return o.code === code || /EPIPE|ECONNRESET|socket hang up/.test(o.error ?? '');
}

test('bodies without credentials or with an unknown access id are refused unread; /healthz stays fast', async () => {
  const baseline = rssBytes(child.pid!);
  const before401 = await answered(401);
  const none = await attack(() => ({}), 1500);
  report('no credentials', baseline, none);
  const unknown = await attack(
    () => ({ accessId: 'AKIDnobodyHasThisAccessIdAtAll00', signature: 'x' }),
    1500,
  );
  report('unknown access id', baseline, unknown);
  for (const r of [none, unknown]) {
    for (const o of r.outcomes) assert.ok(refusedUnread(o, 611), JSON.stringify(o));
    assert.ok(
      r.peakRss - baseline < 64 * MiB,
      `server memory grew by ${Math.round((r.peakRss - baseline) / MiB)} MiB`,
    );
    assert.ok(r.health.length >= 10, `healthz answered only ${r.health.length} times during the attack`);
    // Typically 10–15 ms; the machine running the tests may be shared, so the tail gets a margin.
    assert.ok(quantile(r.health, 0.5) < 100, `healthz median ${quantile(r.health, 0.5).toFixed(1)} ms`);
    assert.ok(quantile(r.health, 0.9) < 500, `healthz p90 ${quantile(r.health, 0.9).toFixed(1)} ms`);
  }
  // The server's own count: every one of them was answered 611 (401), none read to a 600 or 413.
  assert.equal((await answered(401)) - before401, none.outcomes.length + unknown.outcomes.length);
});

test('a known access id with a wrong signature: only the unverified budget is read, the rest get 503 SERVER_BUSY', async () => {
  const baseline = rssBytes(child.pid!);
  const before503 = await answered(503);
  const before401 = await answered(401);
  const wrong = await attack(
    () =>
      signHeaders({
        accessId: user.accessId,
        accessKey: 'not-the-key',
        domain: url.host,
        path: PATH,
        body: {},
        platform: '2',
      }),
    0,
  );
  report('known id, wrong signature', baseline, wrong);
  const busy = (await answered(503)) - before503;
  const read = (await answered(401)) - before401;
  // The budget (64 MiB) holds one 60 MB body at a time: one or two are read, the rest refused unread.
  assert.equal(busy + read, ATTACKERS);
  assert.ok(busy >= ATTACKERS - 3, `only ${busy} of ${ATTACKERS} were refused as over the budget`);
  for (const o of wrong.outcomes) assert.ok(refusedUnread(o, 7020) || o.code === 611, JSON.stringify(o));
  assert.ok(
    wrong.peakRss - baseline < 512 * MiB,
    `server memory grew by ${Math.round((wrong.peakRss - baseline) / MiB)} MiB`,
  );
  // The budget is given back: a signed call goes through afterwards.
  const profile = ENDPOINTS['user.queryUserProfile'].path;
  const res = await fetch(new URL(profile, url), {
    method: 'POST',
    headers: {
      ...signHeaders({
        accessId: user.accessId,
        accessKey: user.accessKey,
        domain: url.host,
        path: profile,
        body: {},
        platform: '2',
      }),
    },
    body: '{}',
  });
  assert.equal(((await res.json()) as { code: number }).code, 200);
});
