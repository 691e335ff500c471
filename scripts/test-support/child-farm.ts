/**
 * A farm (or any TypeScript program) in a child process, for the tests and benchmarks that
 * kill it with SIGKILL and start it again on the same port and data: a free loopback port to
 * start it on, the program run from its sources, and the one JSON line it prints once it listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A loopback port free right now (the farm restarted later must find it again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

/** `script` run by node from its TypeScript sources; stdout piped, stderr shown. */
export function spawnTsx(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/**
 * The child's first line on stdout (a program says it is ready with it); rejects if the child
 * exits first, naming `what`.
 */
export async function firstLine(child: ChildProcess, what: string): Promise<string> {
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
  });
  child.removeAllListeners('exit');
  return line;
}
