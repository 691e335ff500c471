/**
 * The node's warm renderers: at most one per slot, each holding one task's
 * scene open (renderers/warm-session.ts). A lease of a task that has an idle
 * session takes it; any other lease takes a fresh holder, and when that would
 * make more sessions than slots, an idle one of another task is ended first
 * (the task changed). A session is ended instead of kept when it failed or
 * was cancelled, its Blender exited or stopped answering (a ping before an
 * idle session is reused, a watch on output and CPU time during a frame: see
 * renderers/warm-session.ts), its memory passed the limit, it rendered its
 * frame limit, or it sat idle too long.
 *
 * A session's staged inputs live as long as it does, under
 * `<workRoot>/leases/warm-<n>/` (removed with the other lease folders when a
 * dead node starts again); its Blender's pid is recorded like a cold
 * renderer's, so a restarted node kills one its wrapper missed.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WarmSession } from '../renderers/warm-session.js';
import { forgetRendererPid } from './renderer-pids.js';

/**
 * A session's key: what must be equal for a frame to reuse a warm renderer. It starts with the
 * task id, which the agent reads back (warmKeyTaskId) to tell the farm which tasks it holds open.
 */
export function warmKey(taskId: number, layer: string, executable: string, threads: number): string {
  return `${taskId}|${layer}|${executable}|${threads}`;
}

/** The task id a session key starts with, or undefined for a key warmKey did not make. */
export function warmKeyTaskId(key: string): number | undefined {
  const id = Number(key.slice(0, key.indexOf('|')));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export interface WarmPoolOptions {
  readonly workRoot: string;
  readonly slots: number;
  /** Frame ranges a session renders before it is ended (default 100). */
  readonly maxFrames?: number;
  /** Resident memory after which a session is ended (bytes; default 8 GiB). */
  readonly maxRssBytes?: number;
  /** An idle session of a task whose frames stopped coming is ended after this (default 60 s). */
  readonly idleMs?: number;
  /** Longest wait for an idle session to answer a ping before it is handed a frame (default 30 s). */
  readonly pingMs?: number;
  /**
   * During a frame: how long a session may print nothing and use no CPU before it is killed as
   * hung (default 120 s; Linux only, where /proc gives its CPU time).
   */
  readonly stallMs?: number;
  readonly log?: (message: string) => void;
}

/** One slot's warm state, lent to one lease at a time. */
export interface WarmHolder {
  readonly key: string;
  /** Index in the pid records (negative, so it never names a frame). */
  readonly pidKey: number;
  /** Where this session's inputs are staged, and its helper scripts written. */
  readonly dir: string;
  /** Inputs are staged under `<dir>/stage` already. */
  staged: boolean;
  session?: WarmSession;
}

export class WarmPool {
  private readonly idle: Array<{ holder: WarmHolder; timer: NodeJS.Timeout }> = [];
  private busy = 0;
  private next = 1;
  /** Why sessions ended, for tests and the bench. */
  readonly ended = { taskChange: 0, frameLimit: 0, memory: 0, failed: 0, idle: 0, stop: 0, hung: 0 };

  constructor(private readonly opts: WarmPoolOptions) {}

  /** The liveness deadlines a lease's run holds its session to. */
  get probe(): { readonly pingMs: number; readonly stallMs: number } {
    return { pingMs: this.opts.pingMs ?? 30_000, stallMs: this.opts.stallMs ?? 120_000 };
  }

  /**
   * A lease found its session hung (and killed it, whole group): count and log it, and drop it
   * from the holder, which starts the next one cold. The holder stays the lease's.
   */
  noteHung(holder: WarmHolder, why: string): void {
    this.ended.hung++;
    this.opts.log?.(`warm renderer ${holder.session?.pid} ended: ${why}`);
    holder.session = undefined;
  }

  get idleKeys(): string[] {
    return this.idle.map((i) => i.holder.key);
  }

  /** A holder for `key`: its idle session when there is one, else a new empty one. */
  async take(key: string): Promise<WarmHolder> {
    const i = this.idle.findIndex((h) => h.holder.key === key && h.holder.session?.alive !== false);
    if (i >= 0) {
      const [{ holder, timer }] = this.idle.splice(i, 1) as [{ holder: WarmHolder; timer: NodeJS.Timeout }];
      clearTimeout(timer);
      this.busy++;
      return holder;
    }
    // Another task's frames: make room by ending idle sessions beyond the slots.
    while (this.idle.length > 0 && this.idle.length + this.busy >= this.opts.slots) {
      const { holder, timer } = this.idle.shift()!;
      clearTimeout(timer);
      this.ended.taskChange++;
      await this.end(holder, 'the task changed');
    }
    this.busy++;
    const n = this.next++;
    const dir = join(this.opts.workRoot, 'leases', `warm-${n}`);
    await mkdir(join(dir, 'stage'), { recursive: true });
    return { key, pidKey: -n, dir, staged: false };
  }

  /** Give a holder back after a lease; `keep` false ends its session (failed, cancelled). */
  async give(holder: WarmHolder, keep: boolean): Promise<void> {
    this.busy--;
    const s = holder.session;
    // Why the session ends now, counted under that reason; undefined: it is kept.
    const ending: [keyof WarmPool['ended'], string] | undefined = !keep
      ? ['failed', 'the frame did not finish']
      : s === undefined || !s.alive
        ? ['failed', 'its renderer exited']
        : s.requests >= (this.opts.maxFrames ?? 100)
          ? ['frameLimit', `it rendered ${s.requests} frame range(s)`]
          : s.rss > (this.opts.maxRssBytes ?? 8 * 2 ** 30)
            ? ['memory', `its renderer uses ${Math.round(s.rss / 2 ** 20)} MiB`]
            : undefined;
    if (ending !== undefined) {
      this.ended[ending[0]]++;
      await this.end(holder, ending[1]);
      return;
    }
    const timer = setTimeout(() => {
      const i = this.idle.findIndex((h) => h.holder === holder);
      if (i < 0) return;
      this.idle.splice(i, 1);
      this.ended.idle++;
      void this.end(holder, 'it was idle');
    }, this.opts.idleMs ?? 60_000);
    timer.unref();
    this.idle.push({ holder, timer });
  }

  /** End every idle session (the node stops; busy ones end with their lease's abort). */
  async close(): Promise<void> {
    const all = this.idle.splice(0);
    for (const { timer } of all) {
      clearTimeout(timer);
      this.ended.stop++;
    }
    await Promise.all(all.map(({ holder }) => this.end(holder, 'the node stops')));
  }

  private async end(holder: WarmHolder, why: string): Promise<void> {
    if (holder.session !== undefined) {
      this.opts.log?.(`warm renderer ${holder.session.pid} ended: ${why}`);
      await holder.session.close();
    }
    forgetRendererPid(this.opts.workRoot, holder.pidKey);
    await rm(holder.dir, { recursive: true, force: true });
  }
}
