/**
 * Rendering one lease on this node, start to finish:
 * 1. stage the task's inputs (by hash, through the content cache) at their
 *    server paths under a per-lease staging root;
 * 2. run the renderer once per frame range of the unit (a chunk may have gaps);
 * 3. while it runs: stream the log in chunks, report progress (which also
 *    renews the lease), upload each output file as soon as the renderer says
 *    it is complete, with a JPEG thumbnail of the last image;
 * 4. report complete once every output is stored on the farm, or fail with the
 *    reason (an output the farm refused included), so the farm renders it again.
 *    A cold renderer's slot is handed back when it exits (onRendered): step 4
 *    runs alongside the node's next frame.
 * Any report refused with a stale lease, or the agent's own cancel, aborts the
 * renderer (SIGTERM to its group, grace, SIGKILL) and drops the lease silently.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { serverPathToLocal } from '@openfarm/protocol';
import { type ContentCache, hashFile } from '../cache/content-cache.js';
import { WorkerError } from '../errors.js';
import type {
  InstalledRenderer,
  RenderEvent,
  RendererAdapter,
  RenderJob,
  TaskJson,
} from '../renderers/adapter.js';
import { listFiles, runRender } from '../renderers/run-render.js';
import { WarmSession, WarmStalledError } from '../renderers/warm-session.js';
import { stageInputs } from '../staging/stage-inputs.js';
import { canThumbnail, makeThumbnail } from '../thumbnails/thumbnail.js';
import { toRanges } from './frame-ranges.js';
import { LogBuffer } from './log-buffer.js';
import { LeaseLostError, type NodeApi, NodeApiError, type WireLease } from './node-api.js';
import { forgetRendererPid, recordRendererPid } from './renderer-pids.js';
import { type WarmHolder, type WarmPool, warmKey } from './warm-pool.js';

export interface LeaseContext {
  readonly api: NodeApi;
  readonly cache: ContentCache;
  /** This node's scratch root; each lease works in its own folder under it. */
  readonly workRoot: string;
  readonly threads: number;
  readonly findRenderer: (
    cgName: string,
  ) => { adapter: RendererAdapter; installed: InstalledRenderer } | undefined;
  /** Seconds between progress reports (each also renews the lease). */
  readonly progressIntervalMs?: number;
  readonly graceMs?: number;
  readonly log?: (message: string) => void;
  /** Warm renderers kept across this node's leases; absent: every frame starts its renderer cold. */
  readonly warm?: WarmPool;
  /**
   * Called once a cold lease's renderer has exited for good, before its outputs finish uploading
   * and the frame is reported: the node may start its next frame meanwhile, so a large output's
   * upload does not hold the slot. Not called for a warm lease, whose renderer serves the next
   * frame only once given back.
   */
  readonly onRendered?: () => void;
}

/**
 * Whether a task lets its frames render in a warm session: task.json's
 * `task_info.warm_session` set to "0" or "false" turns them off for that task.
 */
export function warmAllowed(task: TaskJson): boolean {
  const v = task.task_info?.warm_session?.trim().toLowerCase();
  return v !== '0' && v !== 'false' && v !== 'off';
}

export type LeaseOutcome = 'done' | 'failed' | 'cancelled';

/** Raised inside the run when the lease is gone; never reported to the farm. */
class Cancelled extends Error {}

export async function runLease(
  ctx: LeaseContext,
  lease: WireLease,
  signal: AbortSignal,
): Promise<LeaseOutcome> {
  const dir = join(ctx.workRoot, 'leases', `${lease.frameId}-${lease.epoch}`);
  const abort = new AbortController();
  const onCancel = (): void => abort.abort();
  signal.addEventListener('abort', onCancel, { once: true });
  if (signal.aborted) abort.abort();
  let lost = false;
  const loseLease = (err: unknown): void => {
    if (err instanceof LeaseLostError) {
      lost = true;
      abort.abort();
    } else ctx.log?.(`frame ${lease.frameId}: report failed: ${(err as Error).message}`);
  };
  const logs = new LogBuffer((lines) => ctx.api.log(lease, lines), loseLease);
  let warm: WarmHolder | undefined;
  let warmKeep = false;
  try {
    const task = lease.job.taskJson as unknown as TaskJson;
    const cgName = task.software_config?.cg_name ?? '';
    const renderer = ctx.findRenderer(cgName);
    if (renderer === undefined)
      throw new WorkerError('HARDWARE_RULE_VIOLATION', `this node has no ${cgName} renderer`);

    if (ctx.warm !== undefined && renderer.adapter.prepareWarm !== undefined && warmAllowed(task))
      warm = await ctx.warm.take(
        warmKey(lease.job.taskId, lease.job.layer, renderer.installed.executable, ctx.threads),
      );
    // A warm session's inputs stay staged as long as its renderer runs: it reads them lazily.
    const stagingRoot = join(warm?.dir ?? dir, 'stage');
    await mkdir(stagingRoot, { recursive: true });
    for (const missing of lease.job.missingInputs) logs.push(`[openfarm] not on the farm: ${missing}`);
    if (warm?.staged !== true) {
      logs.push(`[openfarm] staging ${lease.job.inputs.length} input file(s) on this node`);
      // Absolute paths inside nested files that cannot be mapped are said in the frame's log.
      await stageInputs(
        ctx.cache,
        lease.job.inputs,
        stagingRoot,
        (input, tmp) => ctx.api.downloadBlob(input, tmp),
        undefined,
        (line) => logs.push(line),
      );
      if (warm !== undefined) warm.staged = true;
    }
    if (abort.signal.aborted) throw new Cancelled();
    const scenePath = serverPathToLocal(lease.job.scenePath, stagingRoot);
    const outputDir = join(dir, 'out');

    const ranges = toRanges(lease.frameNumbers);
    const total = lease.frameNumbers.length;
    let framesDone = 0;
    let lastProgressAt = 0;
    const uploads: Array<Promise<void>> = [];
    /** Outputs the farm did not store, with why: the frame then fails instead of being done. */
    const notStored: string[] = [];
    let lastImage: string | undefined;
    // Each range's run also reports the files already in the output folder; upload each once.
    const uploaded = new Set<string>();
    const upload = (file: string): void => {
      if (uploaded.has(file)) return;
      uploaded.add(file);
      const name = relative(outputDir, file).split('\\').join('/');
      if (canThumbnail(file)) lastImage = file;
      // Network errors and 5xx were already retried (node-api.ts); what is left is a refusal
      // (bad name, hash mismatch, quota) or a farm gone for a minute. Either way the image is
      // not on the farm, so the frame must not be reported done.
      uploads.push(
        hashFile(file)
          .then((sha) => ctx.api.uploadOutput(lease, name, file, sha))
          .then(
            (r) => logs.push(`[openfarm] uploaded ${r.path}`),
            (err: unknown) => {
              if (err instanceof LeaseLostError) return loseLease(err);
              const why = err instanceof NodeApiError ? err.errorMessage : (err as Error).message;
              notStored.push(`${name}: ${why}`);
              logs.push(`[openfarm] output ${name} was not stored: ${why}`);
            },
          ),
      );
    };

    // One pipeline for both ways of rendering: outputs are uploaded and progress reported alike.
    const onEvent = (e: RenderEvent): void => {
      if (e.kind === 'output') upload(e.path);
      else if (e.kind === 'progress') {
        const now = Date.now();
        if (now - lastProgressAt >= (ctx.progressIntervalMs ?? 1000)) {
          lastProgressAt = now;
          ctx.api.progress(lease, Math.min(1, (framesDone + e.fraction) / total)).catch(loseLease);
        }
      }
    };
    for (const range of ranges) {
      const job: RenderJob = {
        task,
        scenePath,
        stagingRoot,
        frames: range,
        outputDir,
        workDir: join(warm?.dir ?? dir, 'work'),
        threads: ctx.threads,
        layer: lease.job.layer === '' ? undefined : lease.job.layer,
      };
      if (warm === undefined)
        await renderCold(ctx, lease.frameId, renderer, job, abort.signal, logs, onEvent);
      else {
        try {
          await renderWarm(ctx, warm, renderer, job, abort.signal, logs, onEvent);
        } catch (err) {
          if (!(err instanceof WarmStalledError) || abort.signal.aborted) throw err;
          // The hung renderer is killed already; the node's fault, so the range is rendered again
          // here, in a renderer started afresh, rather than failed. Outputs it announced finish
          // uploading first, so the new one never writes over a file being read. A second hang
          // fails the frame: the scene itself may hang Blender.
          await warm.session?.kill();
          ctx.warm!.noteHung(warm, `it stopped answering: ${err.reason}`);
          logs.push(`[openfarm] ${err.message}: killed; rendering these frames again in a new renderer`);
          await Promise.all(uploads);
          await renderWarm(ctx, warm, renderer, job, abort.signal, logs, onEvent);
        }
      }
      if (abort.signal.aborted) throw new Cancelled();
      framesDone += Math.floor((range.end - range.start) / range.step) + 1;
    }
    if (warm === undefined) ctx.onRendered?.();
    await Promise.all(uploads);
    if (lost || abort.signal.aborted) throw new Cancelled();
    if (notStored.length > 0) {
      throw new WorkerError(
        'FAIL',
        `${notStored.length} of ${uploaded.size} output(s) not stored on the farm: ${notStored.join('; ')}`,
        { detail: notStored },
      );
    }
    if (lastImage !== undefined) {
      const thumb = join(dir, 'thumbnail.jpg');
      try {
        await makeThumbnail(lastImage, thumb);
        await ctx.api.uploadThumbnail(lease, thumb, await hashFile(thumb));
      } catch (err) {
        loseLease(err);
      }
    }
    await logs.flush();
    if (lost || abort.signal.aborted) throw new Cancelled();
    await ctx.api.complete(lease);
    warmKeep = true;
    return 'done';
  } catch (err) {
    await logs.flush().catch(() => undefined);
    if (err instanceof Cancelled || err instanceof LeaseLostError || lost || abort.signal.aborted)
      return 'cancelled';
    const message = (err as Error).message;
    ctx.log?.(`frame ${lease.frameId} failed: ${message}`);
    await ctx.api.fail(lease, message).catch(loseLease);
    return 'failed';
  } finally {
    // Kept only after a frame completed: its renderer answered every request. A cancel that
    // arrives after completion (a finished frame may still be listed) does not touch it.
    if (warm !== undefined) await ctx.warm?.give(warm, warmKeep);
    signal.removeEventListener('abort', onCancel);
    forgetRendererPid(ctx.workRoot, lease.frameId);
    await rm(dir, { recursive: true, force: true });
  }
}

/** One frame range in a renderer started for it alone; it fails the frame unless it exits cleanly. */
async function renderCold(
  ctx: LeaseContext,
  frameId: number,
  renderer: { adapter: RendererAdapter; installed: InstalledRenderer },
  job: RenderJob,
  signal: AbortSignal,
  logs: LogBuffer,
  onEvent: (e: RenderEvent) => void,
): Promise<void> {
  const result = await runRender(renderer.adapter, renderer.installed, job, {
    signal,
    graceMs: ctx.graceMs,
    onSpawn: (pid) => recordRendererPid(ctx.workRoot, frameId, pid, renderer.installed.executable),
    onLine: (line) => logs.push(line),
    onEvent,
  });
  forgetRendererPid(ctx.workRoot, frameId);
  if (signal.aborted || result.ok) return;
  const why =
    result.exit.stoppedBy === 'timeout'
      ? 'renderer timed out'
      : `renderer exited with ${result.exit.signal ?? `code ${result.exit.code}`}`;
  throw new WorkerError('FAIL', [why, ...result.errors.slice(-5)].join('; '));
}

/**
 * One frame range in the lease's warm session, started first when the holder has none (the
 * first frame of a task on this slot pays the scene load, like a cold frame). Outputs are the
 * files the renderer announced and, as for a cold render, any other file in the output folder.
 */
async function renderWarm(
  ctx: LeaseContext,
  warm: WarmHolder,
  renderer: { adapter: RendererAdapter; installed: InstalledRenderer },
  job: RenderJob,
  signal: AbortSignal,
  logs: LogBuffer,
  onEvent: (e: RenderEvent) => void,
): Promise<void> {
  const parse = renderer.adapter.createParser();
  const errors: string[] = [];
  const onLine = (line: string): void => {
    logs.push(line);
    for (const e of parse(line)) {
      if (e.kind === 'error') errors.push(e.message);
      onEvent(e.kind === 'output' ? { kind: 'output', path: resolve(job.workDir, e.path) } : e);
    }
  };
  await mkdir(job.outputDir, { recursive: true });
  const probe = ctx.warm!.probe;
  if (warm.session?.alive === true) {
    // An idle session may have hung since its last frame: a ping tells before a frame is lost in it.
    const pid = warm.session.pid;
    if (await warm.session.ping(probe.pingMs))
      logs.push(`[openfarm] warm renderer ${pid}: scene already loaded`);
    else {
      const why = `it did not answer a ping within ${probe.pingMs / 1000} s`;
      logs.push(`[openfarm] warm renderer ${pid} killed: ${why}; starting a new one`);
      ctx.warm!.noteHung(warm, why);
    }
  }
  if (warm.session === undefined || !warm.session.alive) {
    await mkdir(job.workDir, { recursive: true });
    const command = await renderer.adapter.prepareWarm!(job, renderer.installed);
    logs.push('[openfarm] starting a warm renderer for this task');
    warm.session = await WarmSession.start(command, {
      graceMs: ctx.graceMs,
      stallMs: probe.stallMs,
      signal,
      onLine,
      onSpawn: (pid) => recordRendererPid(ctx.workRoot, warm.pidKey, pid, renderer.installed.executable),
    });
  }
  if (signal.aborted) return;
  let result: Awaited<ReturnType<WarmSession['render']>>;
  try {
    result = await warm.session.render(renderer.adapter.warmOutput!(job), job.frames, {
      signal,
      onLine,
      stallMs: probe.stallMs,
    });
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof WarmStalledError) throw err;
    throw new WorkerError('FAIL', [(err as Error).message, ...errors.slice(-5)].join('; '));
  }
  for (const f of (await listFiles(job.outputDir)).sort()) onEvent({ kind: 'output', path: f });
  if (!result.ok)
    throw new WorkerError('FAIL', [result.error ?? 'render failed', ...errors.slice(-5)].join('; '));
}
