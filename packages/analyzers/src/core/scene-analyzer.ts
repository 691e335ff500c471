import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Logger,
  parseLogLevel,
  silentLogger,
  TASK_INFO_DEFAULTS,
  withLogFile,
} from '@openfarm/protocol';
import type { DependencyCollector, ResolvedDependency } from './dependency-collector.js';
import { AnalyzeError } from './errors.js';
import { fileMd5 } from './file-md5.js';
import { createJobFolder, resolveWorkspace } from './job-folder.js';
import {
  type AssetJsonContent,
  addTips,
  buildAssetJson,
  buildUploadJson,
  missingFileDetails,
  type TaskJsonContent,
  type TipsJsonContent,
  type UploadJsonContent,
} from './job-files.js';
import type { JsonObject } from './json-value.js';
import type { AnalyzeOptions } from './options.js';
import { forwardSlashes } from './path-text.js';
import { applyTaskInfoOverrides, type TaskInfoOverrides } from './task-info-overrides.js';
import { TIP_CODES } from './tip-codes.js';
import { followNestedDependencies } from '../nested/follow-nested.js';
import { versionsMatch } from './version-check.js';

/** Who the analyzer is for: software_config.cg_name, task_info.cg_id and its missing-file tip code. */
export interface SoftwareInfo {
  readonly cgName: string;
  readonly cgId: string;
  readonly missingFileTipCode: string;
}

/** What a reader hands to {@link SceneAnalyzer}. */
export interface SceneReadResult<S> {
  /** The typed scene description (reader-specific). */
  readonly scene: S;
  /** The version the file was saved with, as software_config.cg_version expects it ("2023", "18.5.732"). */
  readonly savedVersion?: string;
  /** Plugins the scene requires, name → version (software_config.plugins unless pluginConfig is given). */
  readonly plugins?: Readonly<Record<string, string>>;
  /** task.json scene_info_render. */
  readonly sceneInfoRender?: JsonObject;
  /** task.json scene_info (Blender writes this instead of scene_info_render). */
  readonly sceneInfo?: JsonObject;
  /** The collector the reader fed; its files go to upload.json, its missing entries to tips.json. */
  readonly dependencies: DependencyCollector;
  /** Reader-specific tips, code → details. */
  readonly tips?: Readonly<Record<string, readonly string[]>>;
  /** Project root the reader found (task_info.input_project_path) when the option does not give one. */
  readonly inputProjectPath?: string;
  /** task_info.render_layer_type the reader detected when the option does not give one. */
  readonly renderLayerType?: string;
  /**
   * Other task_info fields the scene decides (Houdini: distributed simulation
   * on), checked against the protocol's task_info schema; see READER_TASK_INFO_KEYS.
   */
  readonly taskInfo?: TaskInfoOverrides;
  /** True when the reader could not decode everything (Maya .mb); see the package README. */
  readonly partial?: boolean;
}

/** What a reader gets: the absolute scene path and the caller's options. */
export interface ReadContext {
  readonly cgFile: string;
  readonly options: Readonly<AnalyzeOptions>;
}

/**
 * The reference analyzer workflow without the DCC. A subclass names its
 * software and implements {@link readScene}; the base validates the scene
 * path, creates the job folder (at construction, like the reference, so the
 * four paths are known at once) and, in {@link analyse}, writes task.json,
 * asset.json, tips.json and upload.json. Instances share nothing.
 */
export abstract class SceneAnalyzer<S> {
  readonly options: Readonly<AnalyzeOptions>;
  /** Absolute scene path. */
  readonly cgFile: string;
  readonly workspace: string;
  readonly jobDir: string;
  readonly taskJson: string;
  readonly assetJson: string;
  readonly tipsJson: string;
  readonly uploadJson: string;

  /** Filled by {@link analyse}. */
  taskInfo: TaskJsonContent | undefined;
  assetInfo: AssetJsonContent | undefined;
  tipsInfo: TipsJsonContent | undefined;
  uploadInfo: UploadJsonContent | undefined;
  scene: S | undefined;
  /** Every external reference, resolved. */
  dependencies: readonly ResolvedDependency[] = [];
  /** Intermediate files (USD layers, Arnold scenes, MaterialX documents…) read for the files they name. */
  nestedFiles: readonly string[] = [];
  partial = false;

  protected abstract readonly software: SoftwareInfo;
  #logger: Logger | undefined;
  protected abstract readScene(context: ReadContext): Promise<SceneReadResult<S>> | SceneReadResult<S>;

  constructor(options: AnalyzeOptions) {
    if (typeof options?.cgFile !== 'string' || options.cgFile === '') {
      throw new AnalyzeError('CG_FILE_NOT_FOUND', 'no scene file given');
    }
    // A wrong level fails here, like RayvisionAPI's, not at the first line logged.
    if (options.logLevel !== undefined) parseLogLevel(options.logLevel);
    this.options = Object.freeze({ ...options });
    this.cgFile = resolve(options.cgFile);
    let isFile = false;
    try {
      isFile = statSync(this.cgFile).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) throw new AnalyzeError('CG_FILE_NOT_FOUND', 'scene file does not exist', this.cgFile);
    this.workspace = resolveWorkspace(options.workspace);
    this.jobDir = createJobFolder(this.workspace);
    this.taskJson = join(this.jobDir, 'task.json');
    this.assetJson = join(this.jobDir, 'asset.json');
    this.tipsJson = join(this.jobDir, 'tips.json');
    this.uploadJson = join(this.jobDir, 'upload.json');
  }

  /** App name of the log file, as the reference's analyzer packages: `rayvision_maya`, `rayvision_blender`… */
  get logApp(): string {
    return `rayvision_${this.software.cgName.toLowerCase()}`;
  }

  /**
   * The `logger` option, plus a log file (log-file.ts of @openfarm/protocol) when
   * `logFolder`, `logName` or `logLevel` is given. Made on first use: the
   * software that names the file is a field of the subclass.
   */
  get logger(): Logger {
    const { logger, logFolder, logName, logLevel } = this.options;
    this.#logger ??= withLogFile(logger ?? silentLogger, this.logApp, { logFolder, logName, logLevel });
    return this.#logger;
  }

  /** Read the scene and write the four job files. Resolves to this analyzer. */
  async analyse(): Promise<this> {
    const log = this.logger;
    log.info(`analyzing ${this.cgFile} (${this.software.cgName}) into ${this.jobDir}`);
    try {
      await this.analyseScene(log);
    } catch (e) {
      log.error(`analysis of ${this.cgFile} failed: ${(e as Error).message}`);
      throw e;
    }
    return this;
  }

  private async analyseScene(log: Logger): Promise<void> {
    const result = await this.readScene({ cgFile: this.cgFile, options: this.options });
    const opts = this.options;
    // Files named inside the scene's files (USD layers, stand-ins…) join the same collector.
    const nested = followNestedDependencies(result.dependencies, this.cgFile);
    const deps = result.dependencies.all();
    const missing = deps.filter((d) => d.status === 'missing');
    const files = result.dependencies.files();

    const tips: TipsJsonContent = {};
    for (const [code, details] of Object.entries(result.tips ?? {})) addTips(tips, code, details);
    if (missing.length > 0) addTips(tips, this.software.missingFileTipCode, missingFileDetails(missing));
    if (nested.problems.length > 0) addTips(tips, this.software.missingFileTipCode, nested.problems);
    const requested = opts.softwareVersion;
    if (
      requested !== undefined &&
      result.savedVersion !== undefined &&
      !versionsMatch(result.savedVersion, requested)
    ) {
      addTips(tips, TIP_CODES.versionMismatch, [
        `scene saved with ${this.software.cgName} ${result.savedVersion}, software_version is ${requested}`,
      ]);
    }

    const task: TaskJsonContent = {
      task_info: applyTaskInfoOverrides(
        {
          ...TASK_INFO_DEFAULTS,
          project_name: opts.projectName ?? '',
          cg_id: this.software.cgId,
          platform: opts.platform ?? TASK_INFO_DEFAULTS.platform,
          os_name: process.platform === 'win32' ? '1' : '0',
          input_cg_file: forwardSlashes(this.cgFile),
          input_project_path: forwardSlashes(opts.inputProjectPath ?? result.inputProjectPath ?? ''),
          render_layer_type:
            opts.renderLayerType ?? result.renderLayerType ?? TASK_INFO_DEFAULTS.render_layer_type,
        },
        result.taskInfo,
        this.cgFile,
      ),
      software_config: {
        cg_name: this.software.cgName,
        cg_version: requested ?? result.savedVersion ?? '',
        plugins: { ...(opts.pluginConfig ?? result.plugins ?? {}) },
      },
    };
    if (result.sceneInfoRender !== undefined || result.sceneInfo === undefined) {
      task.scene_info_render = result.sceneInfoRender ?? {};
    }
    if (result.sceneInfo !== undefined) task.scene_info = result.sceneInfo;

    const asset = buildAssetJson(files, missing);
    const upload = buildUploadJson(files, this.cgFile, await fileMd5(this.cgFile));

    writeJson(this.taskJson, task);
    writeJson(this.assetJson, asset);
    writeJson(this.tipsJson, tips);
    writeJson(this.uploadJson, upload);

    this.taskInfo = task;
    this.assetInfo = asset;
    this.tipsInfo = tips;
    this.uploadInfo = upload;
    this.scene = result.scene;
    this.dependencies = deps;
    this.nestedFiles = nested.read;
    this.partial = result.partial === true;
    for (const m of missing) log.warn(`missing file: ${m.resolved} (named by ${m.owner})`);
    for (const p of nested.problems) log.warn(p);
    for (const [code, details] of Object.entries(tips)) log.debug(`tip ${code}: ${details.join('; ')}`);
    log.info(
      `wrote ${this.taskJson}, ${this.assetJson}, ${this.tipsJson}, ${this.uploadJson}: ` +
        `${files.length} files to upload, ${missing.length} missing, tips ${Object.keys(tips).join(', ') || 'none'}` +
        (this.partial ? ' (partial: not everything could be decoded)' : ''),
    );
  }
}

function writeJson(path: string, value: unknown): void {
  try {
    writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
  } catch (cause) {
    throw new AnalyzeError('IO', 'cannot write a job file', path, { cause });
  }
}
