/**
 * `openfarm upload JOB_DIR` and `openfarm download TASK_ID…`: the SDK's
 * RayvisionUpload / RayvisionDownload with progress on stderr — a bar (files,
 * bytes, rate, ETA) on a terminal, a plain line every few seconds otherwise —
 * and the report on stdout (a summary, or JSON with `--json`).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  clockTime,
  type DownloadReport,
  RayvisionDownload,
  RayvisionUpload,
  TransferFailedError,
  type TransferProgress,
  type UploadReport,
} from '@openfarm/sdk';
import { Presets, SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.js';
import { jsonSafe, noticesOf, print } from '../output.js';
import { followTasks, lineMode, ProgressLine } from '../task-progress.js';
import { followAgainCommand, untilInterrupted } from './interrupt.js';
import { type ConnectionFlags, clientCommand, connectClient, taskIdArg } from './tasks.js';

const JOB_FILES = ['task.json', 'tips.json', 'asset.json', 'upload.json'] as const;
/** Plain progress lines when stderr is not a terminal: one per this interval. */
const PLAIN_EVERY_MS = 2000;

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

type ProgressMode = 'bar' | 'lines' | 'off';

/** `--json` is for scripts: no progress at all; otherwise a bar on a terminal, plain lines in logs and pipes. */
function progressMode(json: boolean | undefined): ProgressMode {
  if (json === true) return 'off';
  return process.stderr.isTTY === true ? 'bar' : 'lines';
}

/** Progress on stderr: a bar on a terminal, periodic plain lines otherwise (CI logs, pipes). */
class ProgressView {
  private bar: SingleBar | undefined;
  private phase = '';
  private lastLine = 0;
  private readonly started = performance.now();

  constructor(private readonly mode: ProgressMode) {}

  update(p: TransferProgress): void {
    if (this.mode === 'off') return;
    const moving = p.phase === 'send' || p.phase === 'download';
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = moving && elapsed > 0 ? `${humanBytes(p.bytesDone / elapsed)}/s` : '';
    if (this.mode === 'lines') {
      const now = performance.now();
      if (p.phase === this.phase && now - this.lastLine < PLAIN_EVERY_MS && p.filesDone !== p.filesTotal)
        return;
      this.phase = p.phase;
      this.lastLine = now;
      process.stderr.write(
        `${p.phase}: ${p.filesDone}/${p.filesTotal} files, ${humanBytes(p.bytesDone)}/${humanBytes(p.bytesTotal)}${rate ? `, ${rate}` : ''}\n`,
      );
      return;
    }
    if (this.bar === undefined || p.phase !== this.phase) {
      this.bar?.stop();
      this.phase = p.phase;
      this.bar = new SingleBar(
        {
          format: `${p.phase.padEnd(8)} |{bar}| {percentage}% | {files} files | {bytes} | {rate} | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      this.bar.start(Math.max(p.bytesTotal, 1), 0);
    }
    this.bar.update(Math.min(p.bytesDone, Math.max(p.bytesTotal, 1)), {
      files: `${p.filesDone}/${p.filesTotal}`,
      bytes: `${humanBytes(p.bytesDone)}/${humanBytes(p.bytesTotal)}`,
      rate,
    });
  }

  /** A line between progress updates (the farm unreachable, back again): the bar is redrawn below it. */
  notice(write: (text: string) => void, text: string): void {
    this.bar?.stop();
    this.bar = undefined;
    this.phase = '';
    write(text);
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** Say on stderr when following tasks meets a farm outage, and when it ends. */
export function reportOutages(
  download: RayvisionDownload,
  write: (text: string) => void,
  view?: ProgressView,
): void {
  const say = (text: string): void => (view !== undefined ? view.notice(write, text) : write(text));
  download.on('unreachable', (u) =>
    say(
      `farm unreachable since ${clockTime(u.since)} (${u.reason}); retrying in ${Math.max(1, Math.round(u.retryInMs / 1000))} s`,
    ),
  );
  download.on('reachable', (r) =>
    say(`farm reachable again after ${Math.round(r.downMs / 1000)} s; following the tasks`),
  );
}

function uploadSummary(r: UploadReport): string {
  return (
    `${r.storage}: ${r.files} files, ${r.unchanged} unchanged, ${r.alreadyOnFarm} already on the farm, ` +
    `${r.sentFiles} sent (${humanBytes(r.sentBytes)})`
  );
}

function downloadSummary(r: DownloadReport): string {
  return `${r.files} files: ${r.downloadedFiles} downloaded (${humanBytes(r.receivedBytes)}), ${r.identical} already identical`;
}

/** The task id of an analyzed (and checked) job folder, from its task.json. */
async function jobTaskId(jobDir: string): Promise<string> {
  const path = join(jobDir, 'task.json');
  let doc: { task_info?: { task_id?: unknown } };
  try {
    doc = JSON.parse(await readFile(path, 'utf8')) as typeof doc;
  } catch (e) {
    throw new CliError('FILE_NOT_FOUND', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const id = String(doc.task_info?.task_id ?? '');
  if (!/^[1-9]\d*$/.test(id)) {
    throw new CliError(
      'TASK_ID_TYPE_ERROR',
      `${path} has no task id yet: run \`openfarm check\` on the job first, or pass --task-id`,
    );
  }
  return id;
}

interface UploadFlags extends ConnectionFlags {
  maxSpeed?: number;
  dbConfig?: string;
  db: boolean;
  taskId?: number;
}

interface DownloadFlags extends ConnectionFlags {
  to?: string;
  realtime?: boolean;
  afterComplete?: boolean;
  serverPath?: string[];
  maxSpeed?: number;
  flat?: boolean;
  sleepTime?: number;
}

export function registerTransferCommands(program: Command): void {
  clientCommand(
    program,
    'upload <jobDir>',
    'upload a job folder: its job files to the config storage, its assets to the input storage',
  )
    .option('--max-speed <kbps>', 'cap the total rate, in KB/s', positiveNumber)
    .option(
      '--db-config <path>',
      'db_config.ini of the local transfer database (default: ~/renderfarm_sdk/db_config.ini)',
    )
    .option('--no-db', 'hash every file again instead of trusting the local transfer database')
    .option('--task-id <id>', 'task id (default: task_info.task_id of the job’s task.json)', taskIdArg)
    .action(async function (this: Command, jobDir: string, flags: UploadFlags) {
      const dir = resolve(jobDir);
      const taskId = flags.taskId !== undefined ? String(flags.taskId) : await jobTaskId(dir);
      const api = await connectClient(flags);
      const upload = new RayvisionUpload(
        api,
        flags.dbConfig !== undefined ? { dbConfigPath: flags.dbConfig } : {},
      );
      const view = new ProgressView(progressMode(flags.json));
      upload.on('progress', (p) => view.update(p));
      const speed = flags.maxSpeed !== undefined ? { maxSpeed: flags.maxSpeed } : {};
      try {
        const [task, tips, asset, uploadJson] = JOB_FILES.map((f) => join(dir, f)) as [
          string,
          string,
          string,
          string,
        ];
        const config = await upload.uploadConfig(taskId, [task, tips, asset, uploadJson], speed);
        const assets = await upload.uploadAsset(uploadJson, { ...speed, isDb: flags.db });
        view.stop();
        if (flags.json) print(this, jsonSafe({ taskId: Number(taskId), config, assets }));
        else print(this, `task ${taskId}\n  ${uploadSummary(config)}\n  ${uploadSummary(assets)}`);
      } catch (e) {
        view.stop();
        if (flags.json && e instanceof TransferFailedError)
          print(this, jsonSafe({ taskId: Number(taskId), failures: e.failures }));
        throw e;
      }
    });

  clientCommand(
    program,
    'download [taskIds...]',
    "download tasks' results (or --server-path folders) from the output storage",
  )
    .option('--to <dir>', 'local folder (default: ~/renderfarm_sdk)')
    .addOption(
      new Option(
        '--realtime',
        'follow the tasks while they render, fetching each frame as it is done',
      ).conflicts('afterComplete'),
    )
    .addOption(
      new Option('--after-complete', 'wait for the tasks to end, then download').conflicts('realtime'),
    )
    .option('--server-path <path...>', 'output storage folder(s) to download instead of tasks')
    .option('--max-speed <kbps>', 'cap the total rate, in KB/s', positiveNumber)
    .option('--flat', 'put files straight into --to instead of one folder per task')
    .option(
      '--sleep-time <seconds>',
      'polling interval when the event stream is down (default 10)',
      positiveNumber,
    )
    .action(async function (this: Command, taskIdTexts: string[], flags: DownloadFlags) {
      const taskIds = taskIdTexts.map(taskIdArg);
      if (taskIds.length === 0 && flags.serverPath === undefined) {
        throw new InvalidArgumentError('give task ids or --server-path');
      }
      if (flags.serverPath !== undefined && (flags.realtime || flags.afterComplete)) {
        throw new InvalidArgumentError(
          '--realtime and --after-complete follow tasks; they do not apply to --server-path',
        );
      }
      const api = await connectClient(flags);
      const download = new RayvisionDownload(api);
      // Following tasks as they render, the line that matters is the tasks' (frames done, time
      // left), not the bytes of the few files that have landed so far.
      const following = flags.realtime === true && taskIds.length > 0;
      const view = new ProgressView(following ? 'off' : progressMode(flags.json));
      const taskLine = new ProgressLine(following ? lineMode(flags.json) : 'off');
      download.on('progress', (p) => view.update(p));
      reportOutages(download, noticesOf(this), view);
      const common = {
        ...(flags.to !== undefined ? { localPath: resolve(flags.to) } : {}),
        ...(flags.maxSpeed !== undefined ? { maxSpeed: flags.maxSpeed } : {}),
        downloadFilenameFormat: flags.flat ? ('false' as const) : ('true' as const),
        printLog: false,
      };
      const loop = flags.sleepTime !== undefined ? { sleepTime: flags.sleepTime } : {};
      try {
        let report: DownloadReport;
        if (flags.serverPath !== undefined)
          report = await download.download({ ...common, serverPath: flags.serverPath });
        else if (flags.realtime || flags.afterComplete) {
          const follow = flags.realtime
            ? download.autoDownload.bind(download)
            : download.autoDownloadAfterTaskCompleted.bind(download);
          report = (
            await untilInterrupted(async (signal) => {
              let downloading = true;
              const watching = following
                ? followTasks(api, taskIds, taskLine, { signal, tolerant: true, until: () => !downloading })
                : Promise.resolve([]);
              try {
                return await follow(taskIds, { ...common, ...loop, signal });
              } finally {
                downloading = false;
                await watching;
              }
            })
          ).value;
        } else report = await download.download({ ...common, taskIdList: taskIds });
        view.stop();
        print(this, flags.json ? jsonSafe(report) : downloadSummary(report));
        if (report.stopped === true && !flags.json) {
          const again = followAgainCommand({
            taskIds,
            afterComplete: flags.afterComplete === true,
            to: flags.to === undefined ? undefined : resolve(flags.to),
            flat: flags.flat === true,
            server: flags.server,
            maxSpeed: flags.maxSpeed,
          });
          print(this, `stopped early; the farm keeps rendering. Get the rest with:\n  ${again}`);
        }
      } catch (e) {
        view.stop();
        if (flags.json && e instanceof TransferFailedError) print(this, jsonSafe({ failures: e.failures }));
        throw e;
      }
    });
}
