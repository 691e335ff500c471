/**
 * Runs the `openfarm` command from its TypeScript sources: in a child process,
 * as a user would, or in this process for the quick admin commands.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildProgram } from 'openfarm';

/** The folder the commands run in (the sources resolve from it). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// What bin/openfarm.js runs, on the sources: a thrown error prints one `openfarm: …` line, exit 1.
const ENTRY = "import { run } from 'openfarm'; await run(['node', 'openfarm', ...process.argv.slice(1)]);";
const NODE_ARGS = ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', ENTRY];

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command line that runs `openfarm ARGS` from the sources (for a shell, e.g. under `script`). */
export function cliArgv(args: readonly string[]): string[] {
  return [process.execPath, ...NODE_ARGS, ...args];
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Run a command in this process (a child process per call would cost seconds
 * of TypeScript loading). Errors the actions throw give status 1; commander's
 * own usage errors in subcommands would still exit the process.
 */
export async function runInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    await buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) })
      .parseAsync(['node', 'openfarm', ...args]);
    return { status: 0, stdout, stderr };
  } catch (err) {
    return { status: 1, stdout, stderr: stderr + (err as Error).message };
  } finally {
    process.env = saved;
  }
}
