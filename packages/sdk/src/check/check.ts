/**
 * RayvisionCheck (reference §5): everything that must hold before a job is
 * uploaded, and the ids the upload needs.
 *
 * Order differs from the reference in one respect: the tips gate runs before
 * the identity step, so a scene with blocking errors neither consumes a task
 * id nor creates a project on the farm.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RayvisionError, toTaskId } from '../errors.js';
import type { CheckClient } from './client.js';
import { chooseHardwareConfig, type HardwareRequest } from './hardware.js';
import { fillIdentity } from './identity.js';
import {
  assertValidTaskJson,
  assertValidUploadJson,
  type JobFilePaths,
  normaliseTaskJson,
  readTaskJson,
  readTips,
  type TaskJsonDocument,
  type TipsDocument,
  writeTaskJson,
} from './job-documents.js';
import { checkSoftwareVersion, softwareOf } from './software.js';
import { assertNoBlockingTips, resolveTips } from './tips.js';

export interface CheckOptions {
  /** `{ model, ram, gpuNum }` of the machines to render on. */
  hardwareConfig: HardwareRequest;
  /** task.json to check; default the analyzer's. */
  taskJson?: string;
  /** upload.json of the job; default the analyzer's. Checked against the protocol's schema; must exist when given. */
  uploadJson?: string;
}

export class RayvisionCheck {
  constructor(
    private readonly api: CheckClient,
    private readonly analyzeResult?: JobFilePaths,
  ) {}

  /**
   * Check the job's files, fill its ids and hardware fields, rewrite task.json
   * atomically, and return the task id.
   */
  async execute(options: CheckOptions): Promise<number> {
    const taskJsonPath = options.taskJson ?? this.analyzeResult?.taskJson;
    if (taskJsonPath === undefined) {
      throw new RayvisionError('FILE_NOT_FOUND', 'no task.json: pass { taskJson } or an analyze result');
    }
    // An explicit upload.json must exist; the analyzer's may not yet (Blender writes none).
    const uploadJsonPath = options.uploadJson ?? this.analyzeResult?.uploadJson;
    if (
      uploadJsonPath !== undefined &&
      (options.uploadJson !== undefined || (await isFile(uploadJsonPath)))
    ) {
      await assertValidUploadJson(uploadJsonPath);
    }
    const tipsPath = this.analyzeResult?.tipsJson ?? join(dirname(taskJsonPath), 'tips.json');
    const task = await readTaskJson(taskJsonPath);
    const tips = await readTips(tipsPath);
    const taskId = await this.checkDocuments(task, tips, options.hardwareConfig);
    await writeTaskJson(taskJsonPath, task);
    this.api.logger.info(`task ${taskId} checked: ${taskJsonPath}`);
    return taskId;
  }

  /** The check on documents in memory; fills `task` in place and returns the task id. */
  async checkDocuments(
    task: TaskJsonDocument,
    tips: TipsDocument,
    hardwareConfig: HardwareRequest,
  ): Promise<number> {
    // Shape first: a typo in a field is named before the farm is asked anything.
    normaliseTaskJson(task);
    assertValidTaskJson(task);
    const info = task.task_info;
    const sc = task.software_config;
    const software = softwareOf(info.cg_id, sc.cg_version, sc.cg_name);
    await checkSoftwareVersion(this.api, software, info.os_name);

    const platform = Number(
      info.platform !== undefined && info.platform !== '' ? info.platform : this.api.platform,
    );
    const configs = await this.api.user.getHardwareConfig();
    const hardware = chooseHardwareConfig(configs, hardwareConfig, {
      cgId: software.cgId,
      software: software.name,
      cgVersion: software.version,
      plugins: sc.plugins ?? {},
      tipsCodes: Object.keys(tips),
      platform,
    });
    Object.assign(info, hardware);

    assertNoBlockingTips(await resolveTips(this.api, tips));
    await fillIdentity(this.api, info);
    return toTaskId(info.task_id);
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
