/**
 * The artist's side of a job, as the SDK's users write it and as `openfarm render` does it:
 * an analyzed scene checked, its files uploaded, its job files sent over HTTP (taskJsonFile)
 * and the task submitted. Shared by the end-to-end tests and benchmarks of several packages;
 * each analyzes its own scene (a generated sample, a USD chain, a Maya file) first.
 */
import { readFile } from 'node:fs/promises';
import { RayvisionAPI, RayvisionCheck, RayvisionUpload } from '@openfarm/sdk';

/** What the analyzers write for a scene: the four job files the check and upload read. */
export interface AnalyzedJobFiles {
  readonly taskJson: string;
  readonly uploadJson: string;
  readonly tipsJson: string;
  readonly assetJson: string;
}

/** The artist's client for a farm at `serverUrl` (plain HTTP on loopback). */
export function artistApi(serverUrl: string, user: { accessId: string; accessKey: string }): RayvisionAPI {
  return new RayvisionAPI({
    domain: new URL(serverUrl).host,
    protocol: 'http',
    accessId: user.accessId,
    accessKey: user.accessKey,
    platform: '2',
  });
}

/**
 * Check an analyzed scene, upload its files and send its job files; the task is ready to
 * submit. `dbConfigPath` is the upload's resume database.
 */
export async function prepareAnalyzedScene(
  api: RayvisionAPI,
  analyzer: AnalyzedJobFiles,
  dbConfigPath: string,
): Promise<number> {
  const taskId = await new RayvisionCheck(api, {
    taskJson: analyzer.taskJson,
    uploadJson: analyzer.uploadJson,
    tipsJson: analyzer.tipsJson,
    assetJson: analyzer.assetJson,
  }).execute({ hardwareConfig: { model: 'Default', ram: '64GB', gpuNum: null } });
  await new RayvisionUpload(api, { dbConfigPath }).uploadAsset(analyzer.uploadJson);
  for (const [file, name] of [
    [analyzer.taskJson, 'task.json'],
    [analyzer.uploadJson, 'upload.json'],
  ] as const) {
    await api.transmit.uploadJsonContent(taskId, await readFile(file, 'utf8'), name);
  }
  return taskId;
}

/** `prepareAnalyzedScene`, then the task submitted. */
export async function submitAnalyzedScene(
  api: RayvisionAPI,
  analyzer: AnalyzedJobFiles,
  dbConfigPath: string,
): Promise<number> {
  const taskId = await prepareAnalyzedScene(api, analyzer, dbConfigPath);
  await api.task.submitTask(taskId);
  return taskId;
}
