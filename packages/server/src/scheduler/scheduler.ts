/**
 * The scheduler: hands frames to render nodes under leases with fencing, takes
 * their reports, and keeps task status in step with the frame rows.
 *
 * Every state change is one guarded SQL statement (sql/), so the database
 * alone decides who holds a frame; this class only sequences them, caches
 * what does not change (a task's requirements and inputs), wakes long polls
 * when work appears, and publishes an event for every change it makes.
 *
 * Lifecycle of a frame here: waiting (1) → leased: running (2) with owner,
 * expiry, epoch+1 → done (4) | back to waiting (failure with retries left, or
 * lease expired) | failed (5) | timed out (11). The farm's actions (stop,
 * abandon, delete, re-render) move frames too and bump the epoch; a node's next
 * poll or report then learns its lease is gone and kills the render.
 */
import { EventEmitter } from 'node:events';
import {
  FrameStatus,
  type NodeLease,
  type NodePollAnswer,
  softwareByName,
  TaskStatus,
} from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import type { EventBus } from '../events/bus.js';
import type { Database } from '../store/database.js';
import type { StoreDialect } from '../store/store.js';
import { failTask } from '../tasks/fail-task.js';
import type { JobFileSource } from '../tasks/job-files.js';
import { resumeFrameCreation } from '../tasks/resume-creation.js';
import { type NodeProfile, nodeCanRender } from './matching.js';
import { DEFAULT_POLICY, type SchedulerPolicy } from './policy.js';
import { buildRenderSpec, type LeaseJob, type RenderSpec, RenderSpecError } from './render-spec.js';
import { appendFrameLog } from './sql/append-frame-log.js';
import { claimFrames } from './sql/claim-frame.js';
import { completeFrame, type EndedFrame } from './sql/complete-frame.js';
import { currentLease, type LeaseOwnerView } from './sql/current-lease.js';
import { failFrame } from './sql/fail-frame.js';
import { inputManifest } from './sql/input-manifest.js';
import { leaseTasks } from './sql/lease-candidates.js';
import { markTaskStarted } from './sql/mark-task-started.js';
import { overdueTasks } from './sql/overdue-tasks.js';
import { reapExpiredLeases } from './sql/reap-expired-leases.js';
import { recordNodeFailure } from './sql/record-node-failure.js';
import { type HeldLease, renewLeases } from './sql/renew-leases.js';
import { reportProgress } from './sql/report-progress.js';
import { settleTaskStatus } from './sql/settle-task-status.js';
import { stopOverdueTask } from './sql/stop-overdue-task.js';
import { taskRenderSpec } from './sql/task-render-spec.js';
import { timeOutFrames } from './sql/time-out-frames.js';
import { markWorkerSeen, type WorkerRow } from './sql/workers.js';

/** A node as the scheduler needs it: its lease owner name and what it can render. */
export interface SchedulerNode {
  readonly id: number;
  readonly name: string;
  readonly disabled: boolean;
  readonly profile: NodeProfile;
}

/** A leased frame as the node receives it: the wire contract's type (@openfarm/protocol node-wire.ts). */
export type Lease = NodeLease;

export interface PollRequest {
  /** Frames the node is rendering, with the epochs of their leases. */
  readonly running: readonly HeldLease[];
  /** How many more frames the node can take now. */
  readonly freeSlots: number;
  /** Longest the node is willing to wait (capped by the policy). */
  readonly waitMs?: number;
  /** Tasks the node holds open in an idle warm renderer: preferred among equals (affinity). */
  readonly warmTaskIds?: readonly number[];
}

/**
 * The poll's answer (the wire contract's type): new leases, and `cancel`, the frames the node
 * must stop because their lease is gone (stopped, re-queued, timed out, reaped).
 */
export type PollAnswer = NodePollAnswer;

export interface LeaseRef {
  readonly frameId: number;
  readonly epoch: number;
}

/** How many tasks one lease query reads; mismatching tasks are excluded and the query repeated. */
const CANDIDATE_TASKS = 8;
/** A node's `last_seen_at` is written at most this often (every poll would be a write per frame). */
const SEEN_WRITE_INTERVAL_MS = 5000;
const TASK_LIST_TTL_MS = 250;
const MAX_CANDIDATE_ROUNDS = 8;

export function nodeOf(row: WorkerRow): SchedulerNode {
  const parse = <T>(text: string, fallback: T): T => {
    try {
      return JSON.parse(text) as T;
    } catch {
      return fallback;
    }
  };
  return {
    id: row.id,
    name: row.name,
    disabled: row.disabled !== 0,
    profile: {
      platform: row.platform,
      gpus: row.gpus,
      renderers: parse(row.renderers, []),
      hardwareConfigIds: parse(row.hardware_config_ids, []),
    },
  };
}

export class Scheduler {
  readonly policy: SchedulerPolicy;
  private readonly specs = new Map<number, Promise<RenderSpec>>();
  private readonly inputs = new Map<number, Promise<LeaseJob>>();
  private readonly wake = new EventEmitter();
  private readonly lastSeenWrite = new Map<number, number>();
  private readonly started = new Set<number>();
  /** Per task: the status pass running now, and whether its frames changed since it began (settleTask). */
  private readonly settling = new Map<number, { again: boolean; done: Promise<void> }>();
  /** Broken tasks being failed (failBroken), so concurrent polls start it once. */
  private readonly failing = new Map<number, Promise<void>>();
  /** Per node: the ordered task list of its last lease query (for its warm tasks), reused for TASK_LIST_TTL_MS. */
  private readonly taskLists = new Map<number, { at: number; warm: string; ids: number[] }>();
  private reapTimer: NodeJS.Timeout | undefined;
  private reaping: Promise<void> | undefined;
  private resuming: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private offGap: (() => void) | undefined;
  private stopped = false;
  private readonly jobFileSources: readonly JobFileSource[];
  private readonly onReapError: (err: unknown) => void;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StoreDialect,
    private readonly events: EventBus,
    /** `jobFileSources`: where task.json is found when not stored with the task (the farm's live list). */
    options: {
      policy?: Partial<SchedulerPolicy>;
      jobFileSources?: readonly JobFileSource[];
      /** A failed reaper pass (the next one retries); without it failures would go unseen. */
      onReapError?: (err: unknown) => void;
    } = {},
  ) {
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
    this.jobFileSources = options.jobFileSources ?? [];
    this.onReapError = options.onReapError ?? (() => {});
    this.wake.setMaxListeners(0);
  }

  /** Start the reaper and listen for changes that should wake waiting polls. */
  start(): void {
    // Any task or frame change, made through this server or another on the same database, may
    // make work available or take a lease away.
    this.unsubscribe ??= this.events.subscribeFarmWide((event) => {
      // A task changed (submitted, started, stopped, re-prioritised…): task lists are stale.
      if (event.type === 'task') {
        this.taskLists.clear();
        // It stopped being leased (maybe settled by another server): its cache goes, so a
        // re-render is started and read afresh whichever server leases it first.
        if (
          event.taskId !== undefined &&
          event.status !== undefined &&
          event.status !== TaskStatus.RENDERING &&
          event.status !== TaskStatus.WAITING
        )
          this.forget(event.taskId);
      }
      this.wake.emit('change');
    });
    // Events of other servers were lost (their bridge was down): any task may have changed
    // unannounced, so what is cached about tasks is read afresh (a task finished and re-rendered
    // elsewhere would otherwise stay "started" here and never be marked rendering again).
    this.offGap ??= this.events.onGap(() => {
      this.taskLists.clear();
      this.specs.clear();
      this.inputs.clear();
      this.started.clear();
      this.wake.emit('change');
    });
    this.reapTimer ??= setInterval(() => {
      this.reap().catch(this.onReapError);
    }, this.policy.reapIntervalMs);
    this.reapTimer.unref();
    // Submits a previous run was still writing get the rest of their frames (or fail) now.
    this.resuming ??= resumeFrameCreation(this.db, {
      stopped: () => this.stopped,
      changed: (tasks) => {
        for (const t of tasks) {
          this.events.publish({ userId: t.userId, type: 'task', taskId: t.id, status: t.status });
        }
      },
    })
      .then(() => undefined)
      .catch((err: unknown) => {
        if (!this.stopped) this.onReapError(err);
      });
  }

  /** Stop the reaper and answer every waiting poll now (the server is closing). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.reapTimer);
    this.reapTimer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.offGap?.();
    this.offGap = undefined;
    this.wake.emit('change');
  }

  /**
   * The long poll, which is also the heartbeat: renews the node's leases, says
   * which of its frames to cancel, and leases up to `freeSlots` frames — waiting
   * up to the poll time for work to appear.
   */
  async poll(node: SchedulerNode, req: PollRequest): Promise<PollAnswer> {
    // Never hold a poll so long that the leases it renews could expire meanwhile.
    const wait = Math.min(
      req.waitMs ?? this.policy.maxPollMs,
      this.policy.maxPollMs,
      this.policy.leaseTtlMs / 3,
    );
    const deadline = Date.now() + Math.max(0, wait);
    const seen = Date.now();
    if (seen - (this.lastSeenWrite.get(node.id) ?? 0) >= SEEN_WRITE_INTERVAL_MS) {
      this.lastSeenWrite.set(node.id, seen);
      await markWorkerSeen(this.db, node.id, seen);
    }
    for (;;) {
      const now = Date.now();
      const renewed = await renewLeases(this.db, node.name, req.running, now + this.policy.leaseTtlMs);
      const cancel = req.running.filter((h) => !renewed.has(h.frameId)).map((h) => h.frameId);
      const leases =
        node.disabled || req.freeSlots <= 0
          ? []
          : await this.lease(node, req.freeSlots, req.warmTaskIds ?? []);
      if (leases.length > 0 || cancel.length > 0 || this.stopped || Date.now() >= deadline) {
        return { leases, cancel, disabled: node.disabled };
      }
      await this.waitForChange(deadline - Date.now());
    }
  }

  /**
   * Lease up to `count` frames to a node, best first (see sql/lease-candidates.ts);
   * `warmTaskIds` are the tasks it has warm, preferred among tasks of equal rank.
   */
  async lease(node: SchedulerNode, count: number, warmTaskIds: readonly number[] = []): Promise<Lease[]> {
    const cgIds = [
      ...new Set(
        node.profile.renderers
          .map((r) => softwareByName(r.cgName)?.cgId)
          .filter((id): id is number => id !== undefined),
      ),
    ];
    const excluded = new Set<number>();
    const leases: Lease[] = [];
    // A fresh task list from the last few hundred milliseconds is reused: the
    // order of tasks changes far less often than frames are leased. A stale
    // list costs nothing wrong: a drained task's claim simply finds no frame,
    // and a task that stopped rendering is refused by the claim's own guard.
    const warm = [...new Set(warmTaskIds)].sort((a, b) => a - b);
    const warmKey = warm.join(',');
    const cached = this.taskLists.get(node.id);
    // A list ordered for other warm tasks would put the wrong task first.
    let reuse = cached !== undefined && cached.warm === warmKey && Date.now() - cached.at < TASK_LIST_TTL_MS;
    for (let round = 0; round < MAX_CANDIDATE_ROUNDS && leases.length < count; round++) {
      const taskIds = reuse
        ? cached!.ids
        : await leaseTasks(this.db, {
            workerId: node.id,
            cgIds,
            platform: node.profile.platform,
            blocklistAfter: this.policy.blocklistAfter,
            excludeTaskIds: [...excluded],
            limit: CANDIDATE_TASKS,
            warmTaskIds: warm,
          });
      if (!reuse) this.taskLists.set(node.id, { at: Date.now(), warm: warmKey, ids: taskIds });
      let excludedMore = reuse;
      reuse = false;
      for (const taskId of taskIds) {
        if (leases.length >= count) break;
        const spec = await this.specOf(taskId).catch((err: unknown) => {
          if (err instanceof RenderSpecError) this.failBroken(taskId, err.message);
          return undefined;
        });
        if (spec === undefined || !nodeCanRender(node.profile, spec.requirements)) {
          excluded.add(taskId);
          excludedMore = true;
          continue;
        }
        // One statement claims as many of the task's frames as the node has slots free; fewer
        // than asked means the task has no free waiting frame left, and the next task is tried.
        leases.push(...(await this.claim(node, taskId, spec, count - leases.length)));
      }
      // Query again only when this round ruled tasks out; otherwise the queue is drained.
      if (!excludedMore) break;
    }
    return leases;
  }

  /** Claim up to `count` of a task's frames for a node (one statement), announced and started. */
  private async claim(
    node: SchedulerNode,
    taskId: number,
    spec: RenderSpec,
    count: number,
  ): Promise<Lease[]> {
    const now = Date.now();
    const claimed = await claimFrames(
      this.db,
      this.dialect,
      taskId,
      node.name,
      now,
      this.policy.leaseTtlMs,
      count,
    );
    if (claimed.length === 0) return [];
    const userId = claimed[0]!.userId;
    for (const c of claimed) {
      this.events.publish({
        userId: c.userId,
        type: 'frame',
        taskId: c.taskId,
        frameId: c.id,
        status: FrameStatus.RUNNING,
        detail: { node: node.name, attempt: c.attempt },
      });
    }
    // The first lease starts the task; later ones need not ask (the set is
    // dropped with the task's cache when it stops rendering).
    if (!this.started.has(taskId)) {
      this.started.add(taskId);
      if (await markTaskStarted(this.db, taskId, now)) {
        this.events.publish({ userId, type: 'task', taskId, status: TaskStatus.RENDERING });
        await this.settle([taskId]);
      }
    }
    const job = await this.jobOf(spec);
    return claimed.map((c) => ({
      frameId: c.id,
      epoch: c.epoch,
      attempt: c.attempt,
      leaseExpiresAt: c.leaseExpiresAt,
      frameIndex: c.frameIndex,
      frameNumbers: c.frameNumbers,
      frameType: c.frameType,
      job,
    }));
  }

  async progress(node: SchedulerNode, lease: LeaseRef, fraction: number): Promise<boolean> {
    const now = Date.now();
    const ok = await reportProgress(
      this.db,
      { ...lease, owner: node.name },
      fraction,
      now,
      this.policy.leaseTtlMs,
    );
    if (ok) {
      const v = await currentLease(this.db, { ...lease, owner: node.name });
      if (v) {
        this.events.publish({
          userId: v.userId,
          type: 'frame',
          taskId: v.taskId,
          frameId: lease.frameId,
          status: FrameStatus.RUNNING,
          detail: { progress: fraction },
        });
      }
    }
    return ok;
  }

  /** Store log lines under a current lease; the frame's owner, or undefined when the lease is gone. */
  log(
    node: SchedulerNode,
    lease: LeaseRef,
    lines: readonly string[],
  ): Promise<{ userId: number } | undefined> {
    return appendFrameLog(this.db, this.dialect, { ...lease, owner: node.name }, lines);
  }

  /** The lease's task if it is still current (outputs may only be stored under a current lease). */
  verify(node: SchedulerNode, lease: LeaseRef): Promise<LeaseOwnerView | undefined> {
    return currentLease(this.db, { ...lease, owner: node.name });
  }

  async complete(node: SchedulerNode, lease: LeaseRef): Promise<boolean> {
    const ended = await completeFrame(this.db, { ...lease, owner: node.name }, Date.now());
    if (ended === undefined) return false;
    await this.afterFrames([ended], { node: node.name });
    return true;
  }

  async fail(node: SchedulerNode, lease: LeaseRef, error: string): Promise<boolean> {
    const now = Date.now();
    const ended = await failFrame(
      this.db,
      { ...lease, owner: node.name },
      error,
      this.policy.maxRetries,
      now,
    );
    if (ended === undefined) return false;
    await recordNodeFailure(this.db, node.id, ended.taskId, now);
    // The failure may have put the node on the task's blocklist.
    this.taskLists.delete(node.id);
    await this.afterFrames([ended], { node: node.name, error });
    return true;
  }

  /**
   * One pass of the reaper: expired leases back to waiting (or failed), frames
   * past `job_stop_time` timed out, tasks past `task_stop_time` stopped.
   * Passes never overlap.
   */
  reap(): Promise<void> {
    this.reaping ??= (async () => {
      try {
        const now = Date.now();
        // Each step's changes are published before the next step runs: a later step that fails must
        // not leave committed changes unannounced (the next pass would not find them again).
        await this.afterFrames(await reapExpiredLeases(this.db, now, this.policy.maxRetries), {});
        await this.afterFrames(await timeOutFrames(this.db, now), {});
        for (const task of await overdueTasks(this.db, now)) {
          const { stopped, frames } = await stopOverdueTask(this.db, task, now);
          if (!stopped) continue;
          this.events.publish({
            userId: task.userId,
            type: 'task',
            taskId: task.id,
            status: TaskStatus.STOPPED_TIMEOUT,
          });
          for (const f of frames) {
            this.events.publish({
              userId: f.userId,
              type: 'frame',
              taskId: f.taskId,
              frameId: f.id,
              status: f.state,
            });
          }
        }
      } finally {
        this.reaping = undefined;
      }
    })();
    return this.reaping;
  }

  /** Publish frame changes, then settle and publish the status of their tasks. */
  private async afterFrames(frames: readonly EndedFrame[], detail: Record<string, unknown>): Promise<void> {
    for (const f of frames) {
      this.events.publish({
        userId: f.userId,
        type: 'frame',
        taskId: f.taskId,
        frameId: f.id,
        status: f.state,
        detail,
      });
    }
    await this.settle([...new Set(frames.map((f) => f.taskId))]);
  }

  private async settle(taskIds: readonly number[]): Promise<void> {
    for (const id of taskIds) await this.settleTask(id);
  }

  /**
   * Settle one task's status, once per batch of its frame changes: while a pass
   * runs, later callers only mark the task to be settled again and wait for that
   * next pass, which begins after their frame change was committed and so counts
   * it. Completions of one task arriving together (several nodes, or one node's
   * slots) then cost one status read between them instead of one each.
   */
  private settleTask(id: number): Promise<void> {
    const running = this.settling.get(id);
    if (running !== undefined) {
      running.again = true;
      return running.done;
    }
    const entry = { again: true, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        while (entry.again) {
          entry.again = false;
          await this.settleOnce(id);
        }
      } finally {
        this.settling.delete(id);
      }
    })();
    this.settling.set(id, entry);
    return entry.done;
  }

  private async settleOnce(id: number): Promise<void> {
    for (const change of await settleTaskStatus(this.db, id, Date.now())) {
      if (change.status !== TaskStatus.RENDERING && change.status !== TaskStatus.WAITING)
        this.forget(change.id);
      this.events.publish({
        userId: change.userId,
        type: 'task',
        taskId: change.id,
        status: change.status,
      });
    }
  }

  /**
   * Fail a task whose render spec cannot be built (task status failed, its
   * frames failed, the reason in its info and in every frame's render log).
   * Once per task at a time; until it is done the cached error keeps every
   * poll from reading the task again.
   */
  private failBroken(taskId: number, reason: string): void {
    if (this.failing.has(taskId)) return;
    const run = failTask(this.db, taskId, reason)
      .then((changes) => {
        for (const c of changes) {
          this.events.publish({ userId: c.userId, type: 'task', taskId: c.id, status: c.status });
        }
      })
      .catch(this.onReapError)
      .finally(() => {
        this.failing.delete(taskId);
        this.forget(taskId);
      });
    this.failing.set(taskId, run);
  }

  /** Drop a task's cached spec and job once it stops being leased (it is read again if it reopens). */
  private forget(taskId: number): void {
    this.specs.delete(taskId);
    this.inputs.delete(taskId);
    this.started.delete(taskId);
  }

  private specOf(taskId: number): Promise<RenderSpec> {
    let spec = this.specs.get(taskId);
    if (spec === undefined) {
      spec = taskRenderSpec(this.db, this.jobFileSources, taskId).then((row) => {
        if (row === undefined) throw new Error(`task ${taskId} does not exist`);
        return buildRenderSpec(row);
      });
      // A spec that could not be read (the store, a storage read) is read again on a later
      // lease; a broken task keeps its error cached until failBroken has failed it.
      spec.catch((err: unknown) => {
        if (!(err instanceof RenderSpecError)) this.specs.delete(taskId);
      });
      this.specs.set(taskId, spec);
    }
    return spec;
  }

  /** The job sent with every lease of a task; its inputs are looked up once per task. */
  private jobOf(spec: RenderSpec): Promise<LeaseJob> {
    let job = this.inputs.get(spec.taskId);
    if (job === undefined) {
      job = inputManifest(this.db, spec.inputOwnerId, spec.inputPaths).then((inputs) => {
        const held = new Set(inputs.map((i) => i.serverPath));
        return {
          taskId: spec.taskId,
          taskJson: spec.taskJson,
          layer: spec.layer,
          scenePath: spec.scenePath,
          inputs,
          missingInputs: spec.inputPaths.filter((p) => !held.has(p)),
          outputFolder: spec.outputFolder,
        };
      });
      job.catch(() => this.inputs.delete(spec.taskId));
      this.inputs.set(spec.taskId, job);
    }
    return job;
  }

  private waitForChange(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake.off('change', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.on('change', done);
    });
  }
}
