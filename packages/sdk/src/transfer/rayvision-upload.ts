/**
 * RayvisionUpload (reference §6.3): job files to the config storage
 * (`/<taskId>/cfg/<name>`), assets listed in upload.json to the input storage,
 * through the content-addressed, resumable upload engine.
 *
 * Unlike the reference, methods resolve with a report and reject with
 * TransferFailedError (listing every failed file) instead of returning false.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ApiError, ERRORS } from '@openfarm/protocol';
import { type LogFileOptions, type Logger, silentLogger, withLogFile } from '@openfarm/protocol';
import { type Env, loadDbConfig, resolveTransferLogDir } from './db-config.js';
import { hostPaths, type LocalPaths } from './local-paths.js';
import { openTransferDb } from './local-db/open-transfer-db.js';
import { TokenBucket } from './token-bucket.js';
import { TransferClient, type TransferConnection } from './transfer-client.js';
import { appendTransferLog } from './transfer-log.js';
import type { StorageName } from './transfer-paths.js';
import { type TransferProgress, TransferFailedError, type UploadReport } from './transfer-report.js';
import { type UploadItem, uploadFiles } from './upload-engine.js';

/** What RayvisionUpload needs of RayvisionAPI. */
export interface UploadApi {
  readonly connection: TransferConnection;
  readonly logger?: Logger;
}

/** `logFolder`, `logName`, `logLevel` add a log file of app `rayvision_sync` (log-file.ts). */
export interface RayvisionUploadOptions extends LogFileOptions {
  /** db_config.ini; default `<home>/renderfarm_sdk/db_config.ini`, written on first use. */
  dbConfigPath?: string;
  /** Files sent at once (default 8). */
  concurrency?: number;
  /** Chunk size of resumable uploads, and the largest file sent in one request (default 16 MiB). */
  chunkBytes?: number;
  /** Environment for the directory rules of db_config.ini (default process.env). */
  env?: Env;
  /** Local path rules (default this machine's; `path.win32` runs a Windows workstation's anywhere). */
  paths?: LocalPaths;
}

export interface MaxSpeedOption {
  /** KB/s over the whole transfer; absent or 0 = unlimited. */
  maxSpeed?: number;
}

export interface UploadAssetOptions extends MaxSpeedOption {
  /** Use the local transfer database to skip unchanged files (default true). */
  isDb?: boolean;
}

export interface UploadEvents {
  progress: [TransferProgress];
}

interface UploadJsonAsset {
  local: string;
  server: string;
}

function checkTaskId(taskId: string | number): string {
  const text = String(taskId).trim();
  if (!/^[1-9]\d*$/.test(text)) {
    throw new ApiError(ERRORS.TASK_ID_TYPE_ERROR.code, {
      message: `task id must be a positive integer, got ${JSON.stringify(taskId)}`,
    });
  }
  return text;
}

export class RayvisionUpload extends EventEmitter<UploadEvents> {
  private readonly client: TransferClient;
  private readonly logger: Logger | undefined;

  constructor(
    api: UploadApi,
    private readonly options: RayvisionUploadOptions = {},
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

  /** Config files first, then the assets: the reference's `upload`. */
  async upload(
    taskId: string | number,
    taskJsonPath: string,
    tipsJsonPath: string,
    assetJsonPath: string,
    uploadJsonPath: string,
    options: MaxSpeedOption = {},
  ): Promise<{ config: UploadReport; assets: UploadReport }> {
    const config = await this.uploadConfig(
      taskId,
      [taskJsonPath, tipsJsonPath, assetJsonPath, uploadJsonPath],
      options,
    );
    const assets = await this.uploadAsset(uploadJsonPath, options);
    return { config, assets };
  }

  /** Job files to `/<taskId>/cfg/<name>` of the config storage; missing files are skipped with a log line. */
  async uploadConfig(
    taskId: string | number,
    configFiles: readonly string[],
    options: MaxSpeedOption = {},
  ): Promise<UploadReport> {
    const id = checkTaskId(taskId);
    const items: UploadItem[] = [];
    for (const f of configFiles) {
      if (!existsSync(f)) {
        this.logger?.warn(`config file ${f} does not exist; skipped`);
        continue;
      }
      items.push(configItem(id, f, this.paths));
    }
    return this.run('config', items, options.maxSpeed, undefined);
  }

  /** Every `asset` of an upload.json to the input storage. */
  async uploadAsset(uploadJsonPath: string, options: UploadAssetOptions = {}): Promise<UploadReport> {
    const items = await readUploadJson(uploadJsonPath, this.paths);
    const jobName = uploadJobName(uploadJsonPath, this.paths);
    return this.run('input', items, options.maxSpeed, options.isDb === false ? undefined : jobName);
  }

  /** Any list of files to any storage of the account (outputs of a render node, scripts). */
  async uploadFiles(
    storage: StorageName,
    items: readonly UploadItem[],
    options: UploadAssetOptions & { jobName?: string } = {},
  ): Promise<UploadReport> {
    return this.run(storage, items, options.maxSpeed, options.isDb === false ? undefined : options.jobName);
  }

  private get paths(): LocalPaths {
    return this.options.paths ?? hostPaths;
  }

  private async run(
    storage: StorageName,
    items: readonly UploadItem[],
    maxSpeed: number | undefined,
    dbJob: string | undefined,
  ): Promise<UploadReport> {
    const env = this.options.env ?? process.env;
    const { config } = await loadDbConfig(this.options.dbConfigPath, env);
    const db = dbJob === undefined ? undefined : await openTransferDb(config, dbJob, env);
    let report: UploadReport;
    try {
      report = await uploadFiles(this.client, storage, items, {
        paths: this.paths,
        bucket: TokenBucket.fromKBps(maxSpeed),
        db,
        temporary: config.type === 'sqlite' && config.sqlite.temporary,
        ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
        ...(this.options.chunkBytes !== undefined ? { chunkBytes: this.options.chunkBytes } : {}),
        onProgress: (p) => this.emit('progress', p),
      });
    } finally {
      await db?.close();
    }
    await appendTransferLog(resolveTransferLogDir(config, env), 'upload', report);
    this.logger?.info(
      `upload to ${storage}: ${report.files} files, ${report.unchanged} unchanged, ${report.alreadyOnFarm} already on the farm, ` +
        `${report.sentFiles} sent (${report.sentBytes} bytes), ${report.failures.length} failed`,
    );
    if (report.failures.length > 0) throw new TransferFailedError('upload', report.failures);
    return report;
  }
}

/** A job file's place in the config storage: `/<taskId>/cfg/<its file name>`. */
export function configItem(taskId: string, file: string, paths: LocalPaths = hostPaths): UploadItem {
  return { localPath: paths.resolve(file), serverPath: `/${taskId}/cfg/${paths.basename(file)}` };
}

/** As the reference: one local transfer database per job folder, named after the folder of upload.json. */
export function uploadJobName(uploadJsonPath: string, paths: LocalPaths = hostPaths): string {
  return paths.basename(paths.dirname(paths.resolve(uploadJsonPath)));
}

/** The `asset` list of an upload.json; relative local paths are taken from the file's folder. */
export async function readUploadJson(path: string, paths: LocalPaths = hostPaths): Promise<UploadItem[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? ERRORS.UPLOAD_JSON_MISSING.code
        : ERRORS.PARAMETER_INVALID.code;
    throw new ApiError(code, { message: `cannot read upload.json ${path}: ${(e as Error).message}` });
  }
  return uploadItemsOf(doc, path, paths);
}

/**
 * The files an upload.json's `asset` names: local paths made absolute against
 * the file's folder and normalised (`D:/proj/a.png`, as the analyzers write
 * them, is `D:\proj\a.png` on Windows, so the local database sees one key
 * per file), server paths given a leading slash.
 */
export function uploadItemsOf(doc: unknown, path: string, paths: LocalPaths = hostPaths): UploadItem[] {
  const assets = (doc as { asset?: unknown } | null)?.asset;
  if (!Array.isArray(assets)) {
    throw new ApiError(ERRORS.PARAMETER_INVALID.code, {
      message: `${path}: "asset" must be a list of {local, server}`,
    });
  }
  const base = paths.dirname(paths.resolve(path));
  return assets.map((a: unknown, i) => {
    const x = a as Partial<UploadJsonAsset> | null;
    if (typeof x?.local !== 'string' || typeof x.server !== 'string' || x.local === '' || x.server === '') {
      throw new ApiError(ERRORS.PARAMETER_INVALID.code, {
        message: `${path}: asset[${i}] needs "local" and "server" strings`,
      });
    }
    return {
      localPath: paths.resolve(base, x.local),
      serverPath: x.server.startsWith('/') ? x.server : `/${x.server}`,
    };
  });
}
