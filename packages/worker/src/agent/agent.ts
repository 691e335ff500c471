/**
 * The render node agent (`openfarm worker`): registers with the farm, then
 * long-polls for leases — the poll is also the heartbeat that renews the
 * leases of the frames it is rendering — and runs each lease (run-lease.ts),
 * up to `slots` at once. A poll answer may name frames to cancel (stopped,
 * abandoned, re-queued or timed out on the farm): their renderers are killed.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ContentCache } from '../cache/content-cache.js';
import type { InstalledRenderer, RendererAdapter } from '../renderers/adapter.js';
import { adapterFor, detectRenderers } from '../renderers/registry.js';
import { nodeCapabilities } from './capabilities.js';
import { NodeApi, NodeApiError, type Registration, type WireLease } from './node-api.js';
import { claimWorkRoot, killLeftoverRenderers, removeLeftoverLeases } from './renderer-pids.js';
import { runLease } from './run-lease.js';
import { WarmPool, type WarmPoolOptions, warmKeyTaskId } from './warm-pool.js';

export interface AgentOptions {
  readonly server: string;
  readonly token: string;
  /** Scratch root: per-lease staging and output folders, renderer pid records. */
  readonly workDir: string;
  /** Content cache folder (shared by nodes on one machine); default `<workDir>/cache`. */
  readonly cacheDir?: string;
  readonly cacheMaxBytes?: number;
  readonly slots?: number;
  /** Renderer threads per slot; default the machine's cores divided by the slots. */
  readonly threads?: number;
  readonly platform?: number | null;
  readonly hardwareConfigIds?: readonly number[];
  readonly agentVersion?: string;
  /** Renderers to use instead of detecting them (tests, or a node pinned to one install). */
  readonly renderers?: readonly InstalledRenderer[];
  readonly log?: (message: string) => void;
  readonly graceMs?: number;
  /**
   * Warm render sessions (agent/warm-pool.ts): keep one renderer per slot open on a task's scene
   * across its frames. Off when absent or false.
   */
  readonly warm?:
    | false
    | Pick<WarmPoolOptions, 'maxFrames' | 'maxRssBytes' | 'idleMs' | 'pingMs' | 'stallMs'>;
}

export const DEFAULT_CACHE_BYTES = 50 * 2 ** 30;

export class Agent {
  readonly api: NodeApi;
  /**
   * Leases this node holds, renewed by every poll until reported. `rendered`: its renderer has
   * exited and only the frame's finishing remains (outputs, thumbnail, report), so it no longer
   * takes a slot: the next frame starts meanwhile.
   */
  private readonly running = new Map<
    number,
    { lease: WireLease; abort: AbortController; done: Promise<void>; rendered: boolean }
  >();
  private stopping = false;
  /** Ends the poll in flight when the node stops. */
  private readonly stopPolling = new AbortController();
  /** Every run not yet over, the ones a newer lease of the same frame replaced in `running` too. */
  private readonly runs = new Set<Promise<void>>();
  /** The poll in flight, when it asked for no frame: ended early once a slot frees (see slotFreed). */
  private idlePoll: AbortController | undefined;
  private registration: Registration | undefined;
  private wake: (() => void) | undefined;
  /** Outcomes, for tests and the node's own log. */
  readonly outcomes = { done: 0, failed: 0, cancelled: 0 };
  /** This node's warm renderers, when warm sessions are on. */
  readonly warm: WarmPool | undefined;

  private constructor(
    private readonly opts: AgentOptions,
    private readonly cache: ContentCache,
    private readonly renderers: ReadonlyArray<{ adapter: RendererAdapter; installed: InstalledRenderer }>,
  ) {
    this.api = new NodeApi(opts.server, opts.token);
    this.warm =
      opts.warm === undefined || opts.warm === false
        ? undefined
        : new WarmPool({
            ...opts.warm,
            workRoot: opts.workDir,
            slots: Math.max(1, opts.slots ?? 1),
            log: opts.log,
          });
  }

  /**
   * Claim the work folder, kill renderers and remove lease folders a previous run left behind,
   * detect renderers, open the cache.
   */
  static async create(opts: AgentOptions): Promise<Agent> {
    claimWorkRoot(opts.workDir);
    const leftovers = killLeftoverRenderers(opts.workDir);
    if (leftovers.length > 0) opts.log?.(`killed ${leftovers.length} renderer(s) left by a previous run`);
    const scratch = removeLeftoverLeases(opts.workDir);
    if (scratch > 0) opts.log?.(`removed ${scratch} scratch folder(s) left by a previous run`);
    const installed = opts.renderers ?? (await detectRenderers());
    const renderers = installed.flatMap((i) => {
      const adapter = adapterFor(i.cgName);
      return adapter === undefined ? [] : [{ adapter, installed: i }];
    });
    const cache = await ContentCache.open({
      dir: opts.cacheDir ?? join(opts.workDir, 'cache'),
      maxBytes: opts.cacheMaxBytes ?? DEFAULT_CACHE_BYTES,
    });
    return new Agent(opts, cache, renderers);
  }

  get slots(): number {
    return Math.max(1, this.opts.slots ?? 1);
  }

  get name(): string | undefined {
    return this.registration?.name;
  }

  async register(): Promise<Registration> {
    this.registration = await this.api.register(
      nodeCapabilities(
        this.renderers.map((r) => r.installed),
        {
          slots: this.slots,
          platform: this.opts.platform ?? null,
          hardwareConfigIds: this.opts.hardwareConfigIds ?? [],
          agentVersion: this.opts.agentVersion ?? '',
        },
      ),
    );
    return this.registration;
  }

  /** Poll and render until {@link stop}. Network failures are retried with backoff. */
  async run(): Promise<void> {
    if (this.registration === undefined) await this.register();
    let backoff = 500;
    while (!this.stopping) {
      const free = this.freeSlots();
      // A poll asking for nothing is held by the farm; it is ended early when a slot frees.
      // One asking for frames is never ended: the farm may be leasing them to us.
      const ended = new AbortController();
      this.idlePoll = free === 0 ? ended : undefined;
      try {
        const asked = Date.now();
        const answer = await this.api.poll(
          [...this.running.values()].map((r) => ({ frameId: r.lease.frameId, epoch: r.lease.epoch })),
          free,
          this.registration!.maxPollMs,
          AbortSignal.any([this.stopPolling.signal, ended.signal]),
          this.warmTaskIds(),
        );
        this.idlePoll = undefined;
        backoff = 500;
        // A frame that just finished may still be listed; aborting a finished run is a no-op.
        for (const id of answer.cancel) this.running.get(id)?.abort.abort();
        for (const lease of answer.leases) this.start(lease);
        // All slots busy: the farm holds such a poll until one of our frames is cancelled or the wait
        // ends, so polling again at once keeps a stop's kill prompt even while the renderer prints
        // nothing. Only a poll answered early with nothing in it (a farm that does not hold polls, or
        // one shutting down) is followed by a pause, so the loop never spins.
        const held = Date.now() - asked;
        if (
          answer.leases.length === 0 &&
          answer.cancel.length === 0 &&
          this.running.size >= this.slots &&
          held < this.pollHoldMs() / 2
        )
          await this.sleep(this.heartbeatMs());
      } catch (err) {
        this.idlePoll = undefined;
        if (this.stopping) break;
        if (ended.signal.aborted) continue;
        if (err instanceof NodeApiError && err.code === 7007) throw err;
        this.opts.log?.(`poll failed (${(err as Error).message}); retrying in ${backoff} ms`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    await Promise.all([...this.runs]);
    await this.warm?.close();
  }

  /** Stop polling; running renders are killed (their leases return to the farm when they expire). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopPolling.abort();
    for (const r of this.running.values()) r.abort.abort();
    this.wake?.();
    await Promise.all([...this.runs]);
    await this.warm?.close();
  }

  /** The tasks whose scene an idle warm renderer holds open, for the farm's affinity. */
  private warmTaskIds(): number[] {
    const ids = (this.warm?.idleKeys ?? []).map(warmKeyTaskId);
    return [...new Set(ids.filter((id) => id !== undefined))];
  }

  /** How long the farm holds a poll that finds nothing (it never holds one past a third of the lease TTL). */
  private pollHoldMs(): number {
    const r = this.registration;
    return r === undefined ? 0 : Math.min(r.maxPollMs, r.leaseTtlMs / 3);
  }

  private heartbeatMs(): number {
    const ttl = this.registration?.leaseTtlMs ?? 60_000;
    return Math.max(100, Math.min(ttl / 4, 10_000));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private start(lease: WireLease): void {
    const abort = new AbortController();
    const threads = this.opts.threads ?? Math.max(1, Math.floor(availableParallelism() / this.slots));
    this.opts.log?.(
      `frame ${lease.frameId} (task ${lease.job.taskId}, frames ${lease.frameIndex}): rendering`,
    );
    const done = runLease(
      {
        api: this.api,
        cache: this.cache,
        workRoot: this.opts.workDir,
        threads,
        graceMs: this.opts.graceMs,
        findRenderer: (cgName) =>
          this.renderers.find((r) => r.adapter.cgName.toLowerCase() === cgName.toLowerCase()),
        log: this.opts.log,
        warm: this.warm,
        onRendered: () => {
          const run = this.running.get(lease.frameId);
          if (run?.lease === lease) run.rendered = true;
          this.slotFreed();
        },
      },
      lease,
      abort.signal,
    ).then((outcome) => {
      this.outcomes[outcome]++;
      // The farm may have leased this frame to us again (its failure was reported) while this
      // run still cleaned up: that newer run holds the entry now and keeps it.
      if (this.running.get(lease.frameId)?.lease === lease) this.running.delete(lease.frameId);
      this.runs.delete(done);
      this.opts.log?.(`frame ${lease.frameId}: ${outcome}`);
      // A slot is free (if the frame's renderer had not freed it already): poll now.
      this.slotFreed();
    });
    this.running.set(lease.frameId, { lease, abort, done, rendered: false });
    this.runs.add(done);
  }

  /**
   * Slots for new frames: those no renderer uses. A frame whose renderer exited gives its slot
   * back, but at most `slots` frames finish at once, so outputs that upload slower than frames
   * render cannot pile up leases and files on this node.
   */
  private freeSlots(): number {
    const finishing = [...this.running.values()].filter((r) => r.rendered).length;
    const busy = this.running.size - finishing + Math.max(0, finishing - this.slots);
    return Math.max(0, this.slots - busy);
  }

  /** A slot is free: poll now, ending a held poll that asked for nothing. */
  private slotFreed(): void {
    this.wake?.();
    this.idlePoll?.abort();
  }
}
