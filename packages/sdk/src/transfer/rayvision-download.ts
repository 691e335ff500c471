/**
 * RayvisionDownload (reference §6.6): a task's results from the output storage
 * to local disk.
 *
 * - `download` fetches once, by task (child tasks resolved) or by server path.
 * - `autoDownload` follows the farm's event stream and fetches a task's new
 *   outputs as soon as one of its frames is done, instead of re-syncing every
 *   `sleepTime` seconds; it polls every `sleepTime` only while the stream is
 *   down, and makes one last pass once the task has ended.
 * - `autoDownloadAfterTaskCompleted` waits for each task to end, then fetches once.
 * Both follow the tasks through farm outages of any length (farm-outage.ts):
 * once the farm has answered, a failure to reach it is waited out with a
 * capped back-off and reported (`unreachable`, `reachable` events; the logger),
 * and a file it interrupted is resumed; only failures a retry cannot fix end them.
 * Every file is verified against its hash; identical files are skipped; at the
 * end a TransferFailedError lists what failed, if anything did.
 */
import { EventEmitter } from 'node:events';
import { posix } from 'node:path';
import {
  FrameStatus,
  isTaskEnded,
  type LogFileOptions,
  type Logger,
  normalizeServerPath,
  silentLogger,
  withLogFile,
} from '@openfarm/protocol';
import { sdkHomeDir } from './db-config.js';
import {
  type DownloadEngineOptions,
  type DownloadItem,
  downloadFiles,
  type VerifiedFiles,
} from './download-engine.js';
import { type FarmEvent, readEventStream } from './event-stream.js';
import { type FailedFrame, type FrameQuery, failedFramesOf } from './failed-frames.js';
import {
  clockTime,
  type FarmReachable,
  type FarmUnreachable,
  isFarmOutage,
  OutageBackoff,
} from './farm-outage.js';
import { hostPaths, type LocalPaths } from './local-paths.js';
import {
  localFileOf,
  localFolderOf,
  type ResolvedTask,
  resolveTasks,
  type TaskFolder,
  type TaskQuery,
} from './task-folders.js';
import { TokenBucket } from './token-bucket.js';
import { type ManifestEntry, TransferClient, type TransferConnection } from './transfer-client.js';
import { appendTransferLog } from './transfer-log.js';
import type { StorageName } from './transfer-paths.js';
import {
  type DownloadReport,
  reasonOf,
  TransferFailedError,
  type TransferFailure,
  type TransferProgress,
} from './transfer-report.js';

/** What RayvisionDownload needs of RayvisionAPI. */
export interface DownloadApi {
  readonly connection: TransferConnection;
  readonly query: TaskQuery & FrameQuery;
  readonly logger?: Logger;
}

export interface DownloadOptions {
  taskIdList?: ReadonlyArray<number | string>;
  /** KB/s over the whole transfer; absent or 0 = unlimited. */
  maxSpeed?: number;
  /** Log each pass's totals (default true for download, false for autoDownload, as the reference). */
  printLog?: boolean;
  /** "true" (default): `<localPath>/<taskId>_<scene>/…`; "false": files straight into localPath. */
  downloadFilenameFormat?: 'true' | 'false' | boolean;
  /** Default `<home>/renderfarm_sdk`. */
  localPath?: string;
  /** Folder(s) of the output storage, relative to its root; when given, task ids are ignored. */
  serverPath?: string | readonly string[];
  /** Read `serverPath` from the input storage (assets) instead; localPath defaults to the path's folder. */
  asset?: boolean;
  /**
   * Stop early: files not yet started are left alone, the call resolves with
   * what it has (`stopped: true` in the report) instead of following the tasks
   * to their end. The farm keeps rendering; call again to pick up the rest.
   */
  signal?: AbortSignal;
}

/** What one download pass needs, whatever it fetches. */
interface Pass {
  storage: StorageName;
  localPath: string;
  keep: boolean;
  bucket: TokenBucket | undefined;
  verified: VerifiedFiles;
  signal?: AbortSignal | undefined;
  /** Following a task: files the farm's outage interrupted, to fetch on the next pass. */
  retryLater?: DownloadEngineOptions['retryLater'];
}

export interface AutoDownloadOptions extends Omit<DownloadOptions, 'taskIdList' | 'serverPath' | 'asset'> {
  /** Seconds between polls when the event stream is down (and between status checks after completion). Default 10. */
  sleepTime?: number;
  /** Count a task paused after its priority frames as ended. */
  isTestStop?: boolean;
  /**
   * Longest wait between tries while the farm is unreachable, in seconds
   * (the wait starts at 1 s and doubles). Default 30.
   */
  maxRetryWait?: number;
}

/** `logFolder`, `logName`, `logLevel` add a log file of app `rayvision_sync` (log-file.ts). */
export interface RayvisionDownloadOptions extends LogFileOptions {
  /** Folder of the transfer log; default `RAYVISION_LOG`, else `<home>/renderfarm_sdk`. */
  logDir?: string;
  /** Local path rules (default this machine's; `path.win32` runs a Windows workstation's anywhere). */
  paths?: LocalPaths;
  /**
   * Whether the local file system keeps names that differ only in case as one file (default: under
   * Windows path rules and on macOS, whose default file system does). Then of two farm files named
   * so (`A.exr`, `a.exr`) only the first is downloaded and the other is a failure that says why,
   * instead of one silently overwriting the other.
   */
  caseInsensitive?: boolean;
}

export interface DownloadEvents {
  progress: [TransferProgress];
  /** A file landed (verified) on disk. */
  file: [{ localPath: string; serverPath: string; taskId?: number }];
  /** Following tasks, a try to reach the farm failed; another follows in `retryInMs`. */
  unreachable: [FarmUnreachable];
  /** The farm answers again after an outage. */
  reachable: [FarmReachable];
}

function keepFolder(format: DownloadOptions['downloadFilenameFormat']): boolean {
  return format === undefined || format === true || format === 'true';
}

/** Wait `ms`, or less when `signal` aborts (the listener goes either way: signals may live long). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

function emptyReport(): DownloadReport {
  return { files: 0, identical: 0, downloadedFiles: 0, receivedBytes: 0, failures: [] };
}

function addReport(into: DownloadReport, r: DownloadReport): void {
  into.files += r.files;
  into.identical += r.identical;
  into.downloadedFiles += r.downloadedFiles;
  into.receivedBytes += r.receivedBytes;
  // A failure every pass meets again (a name this disk cannot hold) is listed once.
  const known = new Set(into.failures.map(failureKey));
  for (const f of r.failures) if (!known.has(failureKey(f))) into.failures.push(f);
  if (r.failedFrames !== undefined) into.failedFrames = [...(into.failedFrames ?? []), ...r.failedFrames];
  if (r.stopped) into.stopped = true;
}

function failureKey(f: TransferFailure): string {
  return `${f.serverPath}\0${f.localPath}\0${f.reason}`;
}

export class RayvisionDownload extends EventEmitter<DownloadEvents> {
  private readonly client: TransferClient;
  private readonly logger: Logger;

  constructor(
    private readonly api: DownloadApi,
    private readonly options: RayvisionDownloadOptions = {},
  ) {
    super();
    this.client = new TransferClient(api.connection);
    this.logger = withLogFile(api.logger ?? silentLogger, 'rayvision_sync', {
      logFolder: options.logFolder,
      logName: options.logName,
      logLevel: options.logLevel,
      secrets: api.connection.logSecrets ?? [],
    });
  }

  /** One pass: every file of the tasks' output folders (or of `serverPath`). */
  async download(options: DownloadOptions = {}): Promise<DownloadReport> {
    const { signal } = options;
    const keep = keepFolder(options.downloadFilenameFormat);
    const bucket = TokenBucket.fromKBps(options.maxSpeed);
    const report = emptyReport();
    if (options.serverPath !== undefined) {
      const paths = (typeof options.serverPath === 'string' ? [options.serverPath] : options.serverPath).map(
        (p) => normalizeServerPath(p),
      );
      for (const p of paths) {
        // asset: from the input storage, by default back to the folder the server path names (§6.6).
        const localPath = options.localPath ?? (options.asset === true ? posix.dirname(p) : sdkHomeDir());
        const storage = options.asset === true ? 'input' : 'output';
        addReport(
          report,
          await this.syncFolder(p, { storage, localPath, keep, bucket, verified: new Map(), signal }),
        );
      }
    } else {
      if (options.asset === true) throw new TypeError('download: asset needs serverPath');
      if (options.taskIdList === undefined || options.taskIdList.length === 0) {
        throw new TypeError('download: give taskIdList or serverPath');
      }
      const localPath = options.localPath ?? sdkHomeDir();
      const tasks = await resolveTasks(this.api.query, options.taskIdList.map(Number));
      for (const t of tasks) {
        addReport(
          report,
          await this.syncTask(t.leaves, {
            storage: 'output',
            localPath,
            keep,
            bucket,
            verified: new Map(),
            signal,
          }),
        );
      }
    }
    return this.finish(report, options.printLog ?? true);
  }

  /**
   * Follow the tasks while they render; resolves once every task has ended and
   * its last pass is done. The first call must reach the farm (a wrong address
   * fails at once); after that, outages are ridden out.
   */
  async autoDownload(
    taskIds: ReadonlyArray<number | string>,
    options: AutoDownloadOptions = {},
  ): Promise<DownloadReport> {
    const ids = taskIds.map(Number);
    const localPath = options.localPath ?? sdkHomeDir();
    const keep = keepFolder(options.downloadFilenameFormat);
    const bucket = TokenBucket.fromKBps(options.maxSpeed);
    const sleepMs = (options.sleepTime ?? 10) * 1000;
    const outage = new OutageBackoff(options.maxRetryWait);
    const { signal } = options;
    // A function, not a narrowed property: the signal may abort while a pass is awaited.
    const aborted = (): boolean => signal?.aborted === true;
    const report = emptyReport();
    const verified: VerifiedFiles = new Map();

    let pending = new Map<number, ResolvedTask>();
    /** Leaf task id → the task the caller asked for. */
    const owner = new Map<number, number>();
    const refresh = async (taskIds: readonly number[]): Promise<void> => {
      const fresh = await resolveTasks(this.api.query, taskIds, options.isTestStop);
      pending = new Map(fresh.map((t) => [t.taskId, t]));
      for (const t of fresh) for (const l of t.leaves) owner.set(l.taskId, t.taskId);
    };
    await refresh(ids);

    // Tasks with a frame done since their last pass; a pass clears the mark.
    const dirty = new Set<number>(pending.keys());
    let wake: () => void = () => {};
    /** Sleep up to `ms`, or until an event, the stream's change of state or the caller's signal. */
    const idle = async (ms: number): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      });
      clearTimeout(timer);
      wake = () => {};
    };
    const stop = new AbortController();
    const onAbort = (): void => wake();
    signal?.addEventListener('abort', onAbort);
    let streamUp = false;
    const onEvent = (e: FarmEvent): void => {
      const task =
        e.taskId === undefined
          ? undefined
          : (owner.get(e.taskId) ?? (pending.has(e.taskId) ? e.taskId : undefined));
      if (task === undefined) return;
      const frameDone = e.type === 'frame' && e.status === FrameStatus.DONE;
      const taskEnded =
        e.type === 'task' && e.status !== undefined && isTaskEnded(e.status, options.isTestStop);
      if (frameDone || taskEnded || e.type === 'task') {
        dirty.add(task);
        wake();
      }
    };
    const stream = (async () => {
      while (!stop.signal.aborted) {
        try {
          await readEventStream(this.api.connection, onEvent, stop.signal, () => {
            streamUp = true;
            // Anything done while the stream was down is caught by one pass.
            for (const t of pending.keys()) dirty.add(t);
            wake();
          });
        } catch (e) {
          if (!stop.signal.aborted && !outage.down)
            this.logger.warn(`event stream: ${reasonOf(e)}; polling every ${sleepMs / 1000} s`);
        }
        if (streamUp) {
          streamUp = false;
          // Poll from now on instead of sleeping on the stream's safety-net timer.
          wake();
        }
        await sleep(Math.min(sleepMs, 2000), stop.signal);
      }
    })();

    try {
      while (pending.size > 0 && !aborted()) {
        if (dirty.size === 0) {
          // Sleep until an event marks a task, or poll when the stream is down.
          // While the stream is up the timer is only a safety net against a lost event.
          await idle(streamUp ? Math.max(sleepMs, 30_000) : sleepMs);
          if (aborted()) break;
          if (!streamUp || dirty.size === 0) {
            for (const t of pending.keys()) dirty.add(t);
          }
        }
        const batch = [...dirty];
        dirty.clear();
        const retryLater = {
          accepts: isFarmOutage,
          deferred: [] as Array<{ item: DownloadItem; error: unknown }>,
        };
        try {
          // "Ended" is decided before the pass, so a task always gets one pass after it ended.
          await refresh([...pending.keys()]);
          for (const taskId of batch) {
            const t = pending.get(taskId);
            if (t === undefined) continue;
            const r = await this.syncTask(
              t.leaves,
              { storage: 'output', localPath, keep, bucket, verified, signal, retryLater },
              taskId,
            );
            addReport(report, r);
            if (retryLater.deferred.length > 0) throw retryLater.deferred[0]?.error;
            if (t.ended && r.stopped !== true) {
              await this.reportFailedFrames(report, t);
              pending.delete(taskId);
            }
          }
          this.farmAnswered(outage);
        } catch (e) {
          if (!isFarmOutage(e)) throw e;
          // This batch again (what landed is skipped as identical), after a wait.
          for (const t of batch) if (pending.has(t)) dirty.add(t);
          await idle(this.farmUnreachable(outage, e).retryInMs);
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
      // The stream's token call cannot be cut short: while the farm is unreachable it may be
      // retrying for seconds (minutes, when every attempt times out). A caller who stopped
      // does not wait for it; it ends on its own at its next step (it catches its errors).
      if (!aborted()) await stream;
    }
    if (pending.size > 0) report.stopped = true;
    return this.finish(report, options.printLog ?? false);
  }

  /** Wait for each task to end, then download it once; farm outages are ridden out as in autoDownload. */
  async autoDownloadAfterTaskCompleted(
    taskIds: ReadonlyArray<number | string>,
    options: AutoDownloadOptions = {},
  ): Promise<DownloadReport> {
    const localPath = options.localPath ?? sdkHomeDir();
    const keep = keepFolder(options.downloadFilenameFormat);
    const bucket = TokenBucket.fromKBps(options.maxSpeed);
    const sleepMs = (options.sleepTime ?? 10) * 1000;
    const outage = new OutageBackoff(options.maxRetryWait);
    const { signal } = options;
    const report = emptyReport();
    let waiting = taskIds.map(Number);
    // The first call must reach the farm: a wrong address or key fails at once.
    let tasks: ResolvedTask[] | undefined = await resolveTasks(this.api.query, waiting, options.isTestStop);
    while (waiting.length > 0 && signal?.aborted !== true) {
      let wait = sleepMs;
      const retryLater = {
        accepts: isFarmOutage,
        deferred: [] as Array<{ item: DownloadItem; error: unknown }>,
      };
      try {
        tasks ??= await resolveTasks(this.api.query, waiting, options.isTestStop);
        for (const t of tasks.filter((x) => x.ended)) {
          addReport(
            report,
            await this.syncTask(
              t.leaves,
              { storage: 'output', localPath, keep, bucket, verified: new Map(), signal, retryLater },
              t.taskId,
            ),
          );
          if (retryLater.deferred.length > 0) throw retryLater.deferred[0]?.error;
          await this.reportFailedFrames(report, t);
          waiting = waiting.filter((id) => id !== t.taskId);
        }
        this.farmAnswered(outage);
      } catch (e) {
        if (!isFarmOutage(e)) throw e;
        wait = this.farmUnreachable(outage, e).retryInMs;
      }
      tasks = undefined;
      if (waiting.length > 0) await sleep(wait, signal);
    }
    if (waiting.length > 0) report.stopped = true;
    return this.finish(report, options.printLog ?? true);
  }

  /** An ended task's failed frames go into the report (and the log): their files will never come. */
  private async reportFailedFrames(report: DownloadReport, task: ResolvedTask): Promise<void> {
    const failed: FailedFrame[] = await failedFramesOf(this.api.query, task.leaves);
    if (failed.length === 0) return;
    report.failedFrames = [...(report.failedFrames ?? []), ...failed];
    for (const f of failed) {
      this.logger.warn(
        `task ${f.taskId}: frame ${f.frameIndex} failed${f.reason === '' ? '' : `: ${f.reason}`}; it has no output to download`,
      );
    }
  }

  /** A try during an outage failed: say so (event and log) and give the wait before the next. */
  private farmUnreachable(outage: OutageBackoff, error: unknown): FarmUnreachable {
    const u = outage.failed(reasonOf(error));
    this.emit('unreachable', u);
    this.logger.warn(
      `farm unreachable since ${clockTime(u.since)} (${u.reason}); retrying in ${Math.round(u.retryInMs / 1000)} s`,
    );
    return u;
  }

  /** A pass went through: if it ended an outage, say so. */
  private farmAnswered(outage: OutageBackoff): void {
    const back = outage.succeeded();
    if (back === undefined) return;
    this.emit('reachable', back);
    this.logger.info(
      `farm reachable again (unreachable from ${clockTime(back.since)} for ${Math.round(back.downMs / 1000)} s)`,
    );
  }

  private async syncTask(
    leaves: readonly TaskFolder[],
    pass: Pass,
    taskId?: number,
  ): Promise<DownloadReport> {
    const report = emptyReport();
    for (const leaf of leaves) {
      if (leaf.outputFileName === '') continue;
      const owner = leaf.userId !== undefined ? { userId: leaf.userId } : {};
      addReport(
        report,
        await this.syncFolder(`/${leaf.outputFileName}`, {
          ...pass,
          ...owner,
          taskId: taskId ?? leaf.taskId,
        }),
      );
    }
    return report;
  }

  /** Download what is new or changed under one folder (or one file) of a storage. */
  private async syncFolder(
    folder: string,
    pass: Pass & { taskId?: number; userId?: number },
  ): Promise<DownloadReport> {
    const { storage, localPath, keep, bucket, verified, signal, retryLater, taskId, userId } = pass;
    let entries: ManifestEntry[] = await this.client.list(storage, folder, userId);
    let base = folder;
    if (entries.length === 0 && folder !== '/') {
      // Not a folder: maybe a single file.
      base = posix.dirname(folder);
      entries = (await this.client.list(storage, base, userId)).filter((e) => e.path === folder);
    }
    const paths = this.options.paths ?? hostPaths;
    const root = localFolderOf(base, localPath, keep, paths);
    const failures: TransferFailure[] = [];
    const items: DownloadItem[] = [];
    const folded = this.options.caseInsensitive ?? (paths.sep === '\\' || process.platform === 'darwin');
    /** Local paths taken so far, case-folded, and the farm file that took each. */
    const taken = new Map<string, string>();
    for (const entry of entries) {
      let local: string;
      try {
        local = localFileOf(entry.path, base, root, paths);
      } catch (e) {
        failures.push({ localPath: root, serverPath: entry.path, reason: (e as Error).message });
        continue;
      }
      if (folded) {
        const other = taken.get(local.toLowerCase());
        if (other !== undefined) {
          failures.push({
            localPath: local,
            serverPath: entry.path,
            reason: `not downloaded: its name differs only in case from ${other}, and this file system keeps such names as one file (download it into another folder)`,
          });
          continue;
        }
        taken.set(local.toLowerCase(), entry.path);
      }
      items.push({ storage, entry, localPath: local, ...(userId !== undefined ? { userId } : {}) });
    }
    const report = await downloadFiles(this.client, items, {
      paths,
      bucket,
      verified,
      signal,
      ...(retryLater !== undefined ? { retryLater } : {}),
      onProgress: (p) => this.emit('progress', p),
      onFile: (i) =>
        this.emit('file', {
          localPath: i.localPath,
          serverPath: i.entry.path,
          ...(taskId !== undefined ? { taskId } : {}),
        }),
    });
    report.failures.push(...failures);
    return report;
  }

  private async finish(report: DownloadReport, printLog: boolean): Promise<DownloadReport> {
    if (printLog) {
      this.logger.info(
        `download: ${report.files} files, ${report.identical} already identical, ${report.downloadedFiles} downloaded ` +
          `(${report.receivedBytes} bytes), ${report.failures.length} failed`,
      );
    }
    await appendTransferLog(
      this.options.logDir ?? (process.env.RAYVISION_LOG || sdkHomeDir()),
      'download',
      report,
    );
    if (report.failures.length > 0) throw new TransferFailedError('download', report.failures);
    return report;
  }
}
