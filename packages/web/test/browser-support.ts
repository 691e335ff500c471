/**
 * What the dashboard's browser tests need besides the farm: Debian's
 * Chromium driven by playwright-core (the launch recipe of the stack notes),
 * axe-core run inside the page, and an artist submitting the sample scene
 * through the SDK as `openfarm render` does.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { analyzeScene } from '@openfarm/analyzers';
import { RayvisionAPI, RayvisionCheck, RayvisionUpload } from '@openfarm/sdk';
import type { NewUser } from '@openfarm/server';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OPENFARM_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  // playwright gives every launch a fresh profile folder of its own (it passes --user-data-dir itself);
  // no sandbox (containers), no GPU, nothing fetched in the background.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core's serious and critical violations on the page. The script is
 * evaluated through the debugging protocol, which the page's CSP does not
 * govern, so the CSP under test stays as strict as it is.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(await AXE_SOURCE);
  // A string, not a function: this package's TypeScript has no DOM types.
  const violations = await page.evaluate<unknown[]>(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
  );
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface SubmitOptions {
  /** The scene as the artist names it (the sample scene is copied to this name). */
  sceneFileName?: string;
  projectName?: string;
  frames: string;
}

/** Analyze, check, upload and submit a copy of the sample scene as `user`; returns the task id. */
export async function submitScene(
  farmUrl: string,
  user: NewUser,
  sampleDir: string,
  workDir: string,
  opts: SubmitOptions,
): Promise<number> {
  const artistDir = await mkdtemp(join(workDir, 'artist-'));
  await mkdir(join(artistDir, 'textures'), { recursive: true });
  const scene = join(artistDir, opts.sceneFileName ?? 'sample.blend');
  await copyFile(join(sampleDir, 'sample.blend'), scene);
  await copyFile(join(sampleDir, 'textures', 'checker.png'), join(artistDir, 'textures', 'checker.png'));
  const analyzer = await analyzeScene(scene, {
    workspace: await mkdtemp(join(workDir, 'ws-')),
    platform: '2',
    ...(opts.projectName !== undefined ? { projectName: opts.projectName } : {}),
  });
  // The frames to render, as `openfarm render --frames` sets them (the farm wants a step: 1-4[1]).
  const taskJson = JSON.parse(await readFile(analyzer.taskJson, 'utf8')) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  for (const key of ['scene_info', 'scene_info_render']) {
    const common = taskJson[key]?.common;
    if (common !== undefined) common.frames = opts.frames;
  }
  const api = new RayvisionAPI({
    domain: new URL(farmUrl).host,
    protocol: 'http',
    accessId: user.accessId,
    accessKey: user.accessKey,
    platform: '2',
  });
  const taskId = await new RayvisionCheck(api, {
    taskJson: analyzer.taskJson,
    uploadJson: analyzer.uploadJson,
    tipsJson: analyzer.tipsJson,
    assetJson: analyzer.assetJson,
  }).execute({ hardwareConfig: { model: 'Default', ram: '64GB', gpuNum: null } });
  await new RayvisionUpload(api, { dbConfigPath: join(artistDir, 'db_config.ini') }).uploadAsset(
    analyzer.uploadJson,
  );
  await api.transmit.uploadJsonContent(taskId, JSON.stringify(taskJson), 'task.json');
  await api.transmit.uploadJsonContent(taskId, await readFile(analyzer.uploadJson, 'utf8'), 'upload.json');
  await api.task.submitTask(taskId);
  return taskId;
}
