/**
 * Renderer process supervision. A renderer is started in its own process group
 * (`detached`) because DCCs fork helpers (Blender's oidn/oiio children, Maya's
 * `mayabatch`, Houdini's `mantra`); killing only the direct child would leave them
 * running and holding the node's cores. Stopping is SIGTERM to the whole group,
 * a grace period for the renderer to flush what it writes, then SIGKILL.
 *
 * The group also outlives a node killed with SIGKILL, which would leave the
 * renderer busy on a frame the farm has given to another node. Linux's
 * PR_SET_PDEATHSIG is not reachable from Node, and watching from inside the
 * renderer is not possible for DCCs we do not control, so renders started with
 * `dieWithParent` go through a tiny `sh` wrapper (see {@link PARENT_WATCH}).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { WorkerError } from '../errors.js';

export interface SupervisedCommand {
  readonly executable: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface SuperviseOptions {
  /** Called for every line of stdout and stderr, in arrival order per stream. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting stops the renderer (SIGTERM, grace, SIGKILL). */
  readonly signal?: AbortSignal;
  /** Wall-clock limit; reaching it stops the renderer like an abort does. */
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  readonly graceMs?: number;
  /** Called once the process exists, with its pid (= its process group id). */
  readonly onSpawn?: (pid: number) => void;
  /**
   * Kill the process group within seconds when this Node process dies, even by
   * SIGKILL (POSIX only; renders set it, short probes need not).
   */
  readonly dieWithParent?: boolean;
}

export interface SupervisedExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the supervisor stopped the process, if it did. */
  readonly stoppedBy?: 'abort' | 'timeout';
}

const DEFAULT_GRACE_MS = 5000;
/** How long a finished run waits for its watcher to read `done` and leave before killing it. */
const WATCHER_EXIT_MS = 3000;
/**
 * How long a finished run then waits for its group to be empty: the watcher is leaving by
 * then; helpers a renderer left running on purpose are its own (they delay each run by this).
 */
const GROUP_SETTLE_MS = 1000;

/**
 * The wrapper of a render started with `dieWithParent`, run as
 * `sh -c PARENT_WATCH openfarm-renderer EXECUTABLE ARGS…` with fd 3 one end of
 * a socket pair whose other end only this Node process holds.
 *
 * A watcher subshell blocks reading fd 3, then `exec` replaces the shell with
 * the renderer (same pid, so the pid, process group, exit code and signal are
 * the renderer's own; fd 3 is closed for it, so its helpers never hold the
 * socket). Reading fd 3 ends in one of two ways:
 * - the line `done`: Node saw the renderer exit and says so; the watcher leaves;
 * - end of file: the Node process is gone (the kernel closes its end however it
 *   died): the watcher sends SIGTERM to the whole group, waits 2 s for the
 *   renderer to flush, then SIGKILL (itself included).
 * A pipe was chosen over polling the parent's pid: EOF is immediate and cannot
 * be fooled by a recycled pid; `sh` over python3 because every POSIX node has it
 * and the wrapper must work for every adapter, whatever DCC it starts. The
 * watcher lets go of stdout and stderr, so the render's output ends when the
 * renderer's does.
 */
export const PARENT_WATCH = `(
  exec >/dev/null 2>&1 </dev/null
  trap '' TERM INT HUP
  IFS= read -r said <&3
  [ "$said" = done ] && exit 0
  kill -TERM 0
  sleep 2
  kill -KILL 0
) &
exec "$@" 3<&-
`;

/** Send `signal` to the whole process group led by `pid`; a group already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * The /proc stat fields (after the parenthesised command name, so `state` is [0], `pgrp` [2],
 * `utime` [11], `stime` [12]) of every process in the group led by `pid`, zombies included;
 * undefined where /proc cannot be read (not Linux).
 */
function groupStats(pid: number): string[][] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: string[][] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pid) members.push(fields);
  }
  return members;
}

/**
 * Whether any live process belongs to the group led by `pid`. On Linux this
 * reads /proc and ignores zombies (a killed renderer's orphans are reparented
 * to a PID 1 that, in containers, may never reap them); elsewhere it asks kill(0).
 */
export function groupAlive(pid: number): boolean {
  const members = groupStats(pid);
  if (members === undefined) {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return members.some(([state]) => state !== 'Z' && state !== 'X');
}

/** Resolves once no live process is left in the group led by `pid` (zombies do not count), or after `maxMs`. */
export async function groupGone(pid: number, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (groupAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

/**
 * CPU time (user + system, in clock ticks) used so far by the processes of the group led
 * by `pid`, or undefined where /proc cannot be read (not Linux). A renderer that has used no
 * CPU and printed nothing for minutes is not working: stopped, deadlocked or waiting forever.
 */
export function groupCpuTicks(pid: number): number | undefined {
  return groupStats(pid)?.reduce((ticks, f) => ticks + Number(f[11]) + Number(f[12]), 0);
}

/**
 * Start `cmd` as the leader of its own process group, through the {@link PARENT_WATCH} wrapper
 * when `dieWithParent` (POSIX). stdout and stderr are piped; stdin is piped only when asked
 * (a warm session is driven over it). `lifeline` is this process's end of the watcher's socket:
 * it is told `done` once the renderer exits, so the watcher leaves without killing anything.
 */
export function spawnInGroup(
  cmd: SupervisedCommand,
  opts: { dieWithParent: boolean; stdin: 'ignore' | 'pipe' },
): { child: ChildProcess; lifeline?: Duplex } {
  const watched = opts.dieWithParent && process.platform !== 'win32';
  const child = watched
    ? spawn('/bin/sh', ['-c', PARENT_WATCH, 'openfarm-renderer', cmd.executable, ...cmd.args], {
        cwd: cmd.cwd,
        env: cmd.env ?? process.env,
        detached: true,
        stdio: [opts.stdin, 'pipe', 'pipe', 'pipe'],
      })
    : spawn(cmd.executable, [...cmd.args], {
        cwd: cmd.cwd,
        env: cmd.env ?? process.env,
        detached: true,
        stdio: [opts.stdin, 'pipe', 'pipe'],
      });
  // The watcher's line: nothing is read from it; a write after the wrapper is gone may fail.
  const lifeline = watched ? (child.stdio[3] as Duplex) : undefined;
  lifeline?.on('error', () => undefined);
  lifeline?.resume();
  child.once('exit', () => lifeline?.end('done\n'));
  return { child, lifeline };
}

/**
 * Run a command to completion. Resolves with its exit (never rejects for a
 * non-zero exit: the caller decides what a failure means); rejects only when
 * the executable cannot be started.
 */
export function runSupervised(cmd: SupervisedCommand, opts: SuperviseOptions = {}): Promise<SupervisedExit> {
  return new Promise((resolve, reject) => {
    const { child, lifeline } = spawnInGroup(cmd, {
      dieWithParent: opts.dieWithParent === true,
      stdin: 'ignore',
    });
    // The watcher holds the other end: its end of file means the watcher has left.
    const watcherGone = new Promise<void>((done) => {
      if (lifeline === undefined) return done();
      lifeline.once('end', done);
      lifeline.once('close', done);
    });
    let stoppedBy: SupervisedExit['stoppedBy'];
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;

    const stop = (why: 'abort' | 'timeout'): void => {
      if (stoppedBy !== undefined || child.pid === undefined) return;
      stoppedBy = why;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      }, graceMs);
    };
    const onAbort = (): void => stop('abort');

    child.once('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new WorkerError('FAIL', `cannot start ${cmd.executable}: ${err.message}`, { cause: err }));
    });
    child.once('spawn', () => {
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
      if (opts.signal?.aborted) stop('abort');
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs !== undefined) timeoutTimer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    });
    // Both spawns above pipe stdout and stderr.
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    if (opts.onLine) {
      const onLine = opts.onLine;
      createInterface({ input: stdout }).on('line', (l) => onLine(l, 'stdout'));
      createInterface({ input: stderr }).on('line', (l) => onLine(l, 'stderr'));
    } else {
      stdout.resume();
      stderr.resume();
    }
    child.once('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      // The leader exited; helpers it forked may still run in the group. A
      // stopped render must leave nothing behind, so finish the group off.
      if (stoppedBy !== undefined && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      // Resolve only once the watcher has read `done` and left, so a finished
      // run leaves no process of its group behind (on a loaded node the watcher
      // may need a moment); one that has not left within the grace is killed.
      const pid = child.pid;
      let waited: NodeJS.Timeout | undefined;
      const leftAlone = new Promise<void>((done) => {
        waited = setTimeout(() => {
          if (pid !== undefined) signalGroup(pid, 'SIGKILL');
          done();
        }, WATCHER_EXIT_MS);
      });
      void Promise.race([watcherGone, leftAlone])
        .then(async () => {
          clearTimeout(waited);
          // The watcher's end of the socket closes as it exits, a moment before the kernel
          // has it gone: wait for that too (a CI run saw the group still alive right here).
          if (pid !== undefined && lifeline !== undefined) await groupGone(pid, GROUP_SETTLE_MS);
        })
        .then(() => resolve({ code, signal, stoppedBy }));
    });
  });
}

/** Run a short command and collect its stdout (for `--version` probes). */
export async function captureOutput(
  cmd: SupervisedCommand,
  timeoutMs = 20_000,
): Promise<{ exit: SupervisedExit; stdout: string }> {
  const lines: string[] = [];
  const exit = await runSupervised(cmd, {
    timeoutMs,
    graceMs: 1000,
    onLine: (l, s) => {
      if (s === 'stdout') lines.push(l);
    },
  });
  return { exit, stdout: lines.join('\n') };
}
