/**
 * One warm Blender: a process started once with the scene loaded (the same
 * command line and startup snippet as a cold render, minus the frames, plus
 * the request loop of blender-warm-server.ts), then driven one frame range at
 * a time over its stdin. It runs under the same `sh` wrapper as cold renders
 * (process/supervise.ts PARENT_WATCH): in its own process group, killed within
 * seconds if the node dies, even by SIGKILL.
 *
 * A session is only ever used by one lease at a time. Anything unexpected —
 * the process exits, a request is cancelled, an answer does not parse, the
 * process stops answering — ends the session for good (`alive` false); the
 * caller then starts the next frame cold in a new one.
 *
 * Stopped answering, two ways (a hung Blender otherwise holds its frame until
 * the farm's frame timeout, which may be hours):
 * - between frames, {@link WarmSession.ping} asks for an answer that needs no
 *   rendering, so a short deadline is safe;
 * - during a frame and while the scene loads, Blender may print nothing for
 *   long (a simulation stepped to the frame, a big BVH, a heavy scene), so the
 *   watch is on signs of work, not on a deadline: a process group that printed
 *   no line and used no CPU time for `stallMs` is hung (stopped, deadlocked,
 *   asleep). Where CPU time cannot be read (no /proc), this watch is off and
 *   only the frame's timeout and a cancel end a frame.
 * Either way the whole group is killed as on a cancel.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { WorkerError } from '../errors.js';
import {
  groupGone,
  groupCpuTicks,
  type SupervisedCommand,
  signalGroup,
  spawnInGroup,
} from '../process/supervise.js';
import type { FrameRange } from './adapter.js';
import { WARM_MARK } from './blender-warm-server.js';

interface Answer {
  readonly id: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly rss?: number;
}

export interface WarmRenderResult {
  readonly ok: boolean;
  readonly error?: string;
  /** Resident memory of the Blender process after the request, in bytes. */
  readonly rss: number;
}

/** The session's Blender stopped answering (see the file comment); it has been killed. */
export class WarmStalledError extends WorkerError {
  constructor(
    pid: number,
    /** What was not seen, and for how long. */
    readonly reason: string,
  ) {
    super('FAIL', `warm renderer ${pid} stopped answering: ${reason}`);
    this.name = 'WarmStalledError';
  }
}

export interface WarmStartOptions {
  /**
   * While the scene loads, the same watch as during a frame (see the file comment): no line and
   * no CPU time for this long ends the start. No wall-clock limit: a large scene may load for
   * minutes, as it would in a cold render.
   */
  readonly stallMs?: number;
  /** Aborting kills the starting renderer at once (a cancel during the scene load). */
  readonly signal?: AbortSignal;
  readonly graceMs?: number;
  readonly onSpawn?: (pid: number) => void;
  /** Lines printed while no request runs (scene loading, remapping). */
  readonly onLine?: (line: string) => void;
}

/** How long a closed session waits for the rest of its group (already sent SIGKILL) to go. */
const GROUP_GONE_WAIT_MS = 5000;

export class WarmSession {
  /** Frame ranges rendered so far. */
  requests = 0;
  rss = 0;
  private nextId = 1;
  private pending: { id: number; resolve: (a: Answer) => void; reject: (e: Error) => void } | undefined;
  private lineSink: ((line: string) => void) | undefined;
  private exited = false;
  /** When the process last printed a line (answers included): a sign of life during a frame. */
  private lastLineAt = Date.now();
  private readonly closed: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly graceMs: number,
  ) {
    // Closed means no process of the group is left: the renderer's 'close' (its stdio, the
    // watcher's line included, all ended), then whatever it forked, which the close handler
    // SIGKILLs, gone too. A CI run saw a member still alive right after the renderer's close.
    this.closed = new Promise<void>((resolve) => child.once('close', () => resolve())).then(() =>
      child.pid === undefined ? undefined : groupGone(child.pid, GROUP_GONE_WAIT_MS),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  static async start(cmd: SupervisedCommand, opts: WarmStartOptions = {}): Promise<WarmSession> {
    const { child } = spawnInGroup(cmd, { dieWithParent: true, stdin: 'pipe' });
    child.stdin!.on('error', () => undefined);
    const session = new WarmSession(child, opts.graceMs ?? 5000);
    session.lineSink = opts.onLine;
    const onLine = (line: string): void => session.line(line);
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('close', (code, signal) => {
      session.exited = true;
      // Helpers Blender forked may outlive it in its group.
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      session.pending?.reject(
        new WorkerError('FAIL', `warm renderer exited with ${signal ?? `code ${code}`}`),
      );
      session.pending = undefined;
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', (err) =>
        reject(new WorkerError('FAIL', `cannot start ${cmd.executable}: ${err.message}`, { cause: err })),
      );
      child.once('spawn', () => {
        if (child.pid !== undefined) opts.onSpawn?.(child.pid);
        resolve();
      });
    });
    // The loop's first answer (id 0) says the scene is loaded and set up.
    const ready = session.await(0);
    const watch = opts.stallMs === undefined ? undefined : session.watchStall(0, opts.stallMs);
    const onAbort = (): void => {
      session.pending?.reject(new WorkerError('FAIL', 'warm renderer start cancelled'));
      session.pending = undefined;
      void session.kill();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    try {
      session.rss = (await ready).rss ?? 0;
    } catch (err) {
      await session.kill();
      throw err;
    } finally {
      clearInterval(watch);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    return session;
  }

  private line(line: string): void {
    this.lastLineAt = Date.now();
    if (line.startsWith(WARM_MARK)) {
      let answer: Answer;
      try {
        answer = JSON.parse(line.slice(WARM_MARK.length)) as Answer;
      } catch {
        this.pending?.reject(new WorkerError('FAIL', `unreadable answer from warm renderer: ${line}`));
        this.pending = undefined;
        void this.kill();
        return;
      }
      if (this.pending !== undefined && answer.id === this.pending.id) {
        const p = this.pending;
        this.pending = undefined;
        p.resolve(answer);
      }
      return;
    }
    this.lineSink?.(line);
  }

  private await(id: number): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (this.exited) reject(new WorkerError('FAIL', 'warm renderer is gone'));
      else this.pending = { id, resolve, reject };
    });
  }

  /**
   * Whether the process answers a ping within `timeoutMs`. One that does not is killed (whole
   * group) before this resolves false; so is nothing else: a gone process is simply false.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    if (this.pending !== undefined) throw new WorkerError('FAIL', 'warm renderer is busy');
    const id = this.nextId++;
    const answer = this.await(id);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    this.child.stdin!.write(`${JSON.stringify({ id, ping: true })}\n`);
    try {
      const a = await Promise.race([answer, late]);
      if (a !== undefined) {
        this.rss = a.rss ?? this.rss;
        return true;
      }
      this.pending = undefined;
      await this.kill();
      return false;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Render `frames` to `output` (Blender's `####` pattern). Lines printed during
   * the request go to `onLine`. Aborting kills the session (as a cold render is
   * killed); the promise then rejects. With `stallMs`, a request during which the
   * process group prints nothing and uses no CPU for that long kills the session
   * and rejects with {@link WarmStalledError}.
   */
  async render(
    output: string,
    frames: FrameRange,
    opts: { signal?: AbortSignal; onLine?: (line: string) => void; stallMs?: number } = {},
  ): Promise<WarmRenderResult> {
    if (this.pending !== undefined) throw new WorkerError('FAIL', 'warm renderer is busy');
    const id = this.nextId++;
    const answer = this.await(id);
    const onAbort = (): void => void this.kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    this.lineSink = opts.onLine;
    const watch = opts.stallMs === undefined ? undefined : this.watchStall(id, opts.stallMs);
    try {
      this.child.stdin!.write(
        `${JSON.stringify({ id, output, start: frames.start, end: frames.end, step: Math.max(1, frames.step) })}\n`,
      );
      const a = await answer;
      this.requests++;
      this.rss = a.rss ?? 0;
      return { ok: a.ok, error: a.error, rss: this.rss };
    } finally {
      clearInterval(watch);
      this.lineSink = undefined;
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The in-frame watch of request `id`: see the file comment. */
  private watchStall(id: number, stallMs: number): NodeJS.Timeout | undefined {
    const pid = this.child.pid;
    if (pid === undefined) return undefined;
    let cpu = groupCpuTicks(pid);
    if (cpu === undefined) return undefined;
    let workedAt = Date.now();
    let lineAt = this.lastLineAt;
    // Eight looks per window: a hang is caught within 1⅛ windows; reading /proc is cheap at that rate.
    const timer = setInterval(
      () => {
        const now = Date.now();
        const nowCpu = groupCpuTicks(pid);
        if (nowCpu !== cpu || this.lastLineAt !== lineAt) {
          cpu = nowCpu;
          lineAt = this.lastLineAt;
          workedAt = now;
          return;
        }
        if (now - workedAt < stallMs || this.pending?.id !== id) return;
        clearInterval(timer);
        const p = this.pending;
        this.pending = undefined;
        p.reject(
          new WarmStalledError(pid, `no output and no CPU time for ${Math.round((now - workedAt) / 1000)} s`),
        );
        void this.kill();
      },
      Math.max(100, Math.floor(stallMs / 8)),
    );
    timer.unref();
    return timer;
  }

  /** Let Blender leave on its own (end of stdin); kill it if it does not within the grace period. */
  async close(): Promise<void> {
    if (this.exited) return this.closed;
    this.child.stdin!.end();
    const t = setTimeout(() => void this.kill(), this.graceMs);
    await this.closed;
    clearTimeout(t);
  }

  /** SIGTERM to the group, SIGKILL after the grace period; resolves once the process is gone. */
  async kill(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return this.closed;
    signalGroup(pid, 'SIGTERM');
    const t = setTimeout(() => signalGroup(pid, 'SIGKILL'), this.graceMs);
    await this.closed;
    clearTimeout(t);
  }
}
