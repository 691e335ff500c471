/**
 * Real proxy servers for tests, on loopback ports in a fresh temp dir, each
 * with its own config, stopped by PID: Debian's tinyproxy (HTTP CONNECT) and
 * dante-server (SOCKS5). Both connect onwards from 127.0.0.2, so a farm on
 * 127.0.0.1 sees every proxied request come from 127.0.0.2 and every direct
 * one from 127.0.0.1 — the proof that a request went through the proxy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROXY_SOURCE_ADDRESS = '127.0.0.2';

export interface ProxyServer {
  /** `http://127.0.0.1:port` or `socks5://127.0.0.1:port` */
  readonly url: string;
  log(): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`proxy exited (${child.exitCode}): ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`proxy did not listen on ${port}: ${output()}`);
}

async function start(
  program: string,
  args: (conf: string) => string[],
  config: (dir: string, port: number) => string,
  scheme: string,
  logName: string,
): Promise<ProxyServer> {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-proxy-'));
  // tinyproxy drops to `nobody` and must still write its log here.
  await chmod(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, 'proxy.conf');
  await writeFile(conf, config(dir, port));
  let output = '';
  const child = spawn(program, args(conf), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, child, () => output);
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    log: () => readFile(join(dir, logName), 'utf8').catch(() => ''),
    async close() {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid, 'SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function startTinyproxy(): Promise<ProxyServer> {
  return start(
    '/usr/bin/tinyproxy',
    (conf) => ['-d', '-c', conf],
    (dir, port) =>
      [
        `Port ${port}`,
        'Listen 127.0.0.1',
        `Bind ${PROXY_SOURCE_ADDRESS}`,
        'Timeout 60',
        `LogFile "${join(dir, 'proxy.log')}"`,
        'LogLevel Connect',
        'MaxClients 50',
        'Allow 127.0.0.1',
        'User nobody',
        'Group nogroup',
        '',
      ].join('\n'),
    'http',
    'proxy.log',
  );
}

export function startDante(): Promise<ProxyServer> {
  return start(
    '/usr/sbin/danted',
    (conf) => ['-f', conf, '-N', '1'],
    (dir, port) =>
      [
        `logoutput: ${join(dir, 'proxy.log')}`,
        `internal: 127.0.0.1 port = ${port}`,
        `external: ${PROXY_SOURCE_ADDRESS}`,
        'clientmethod: none',
        'socksmethod: none',
        'user.privileged: root',
        'user.unprivileged: nobody',
        'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect }',
        'socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect }',
        '',
      ].join('\n'),
    'socks5',
    'proxy.log',
  );
}
