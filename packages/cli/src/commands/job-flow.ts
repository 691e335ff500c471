/**
 * The steps `check`, `submit` and `render` share: the job options (hardware,
 * software version, project, priority, test frames), checking a job folder
 * with RayvisionCheck while printing its tips in words, and uploading and
 * submitting it. One place, so the three commands take the same options
 * with the same defaults.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tipCodeEntry } from '@openfarm/protocol';
import {
  type RayvisionAPI,
  RayvisionCheck,
  RayvisionUpload,
  TipsBlockingError,
  writeJsonAtomic,
} from '@openfarm/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../errors.js';
import { terminalSafe } from '../output.js';

/** What `--hardware` means when it is not given: the farm's default machine. */
export const DEFAULT_HARDWARE = 'Default/64GB';

export interface CheckFlags {
  hardware: string;
  softwareVersion?: string;
  project?: string;
}

export interface SubmitFlags {
  priority?: number;
  testFrames?: string;
  stopAfterTest?: boolean;
}

export const JOB_FILES = ['task.json', 'tips.json', 'asset.json', 'upload.json'] as const;

/** A task priority as the farm takes it: 0–100. */
export function priorityArg(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) > 100)
    throw new InvalidArgumentError('a priority is a whole number from 0 to 100');
  return Number(value);
}

/** The options of the check step (`check`, `render`). */
export function addCheckOptions(command: Command): Command {
  return command
    .option('--hardware <model/ram[/gpus]>', 'machines to render on', DEFAULT_HARDWARE)
    .option('--software-version <v>', 'DCC version to render with (default: the scene’s)')
    .option('--project <name>', 'project of the task (created when missing)');
}

/** The options of the submit step (`submit`, `render`). */
export function addSubmitOptions(command: Command): Command {
  return command
    .option('--priority <n>', 'task priority 0–100, higher first (default: the farm’s)', priorityArg)
    .option('--test-frames <range>', 'render these frames first, e.g. 1,5 or 1-3')
    .option('--stop-after-test', 'pause after the test frames until `openfarm full-speed TASK`');
}

/** `Default/64GB` or `RTX4090/64GB/2` → the check's hardware request. */
export function parseHardware(text: string): { model: string; ram: string; gpuNum: string | null } {
  const parts = text.split('/');
  const [model, ram, gpus] = parts;
  if (parts.length < 2 || parts.length > 3 || !model || !ram || (gpus !== undefined && !/^\d+$/.test(gpus))) {
    throw new CliError(
      'PARAMETER_INVALID',
      `--hardware expects MODEL/RAM or MODEL/RAM/GPUS (e.g. ${DEFAULT_HARDWARE}), not ${JSON.stringify(text)}; ` +
        'list what the farm offers with `openfarm hardware-configs`',
    );
  }
  return { model, ram, gpuNum: gpus ?? null };
}

/** A frame range the farm reads (`1-8` → `1-8[1]`); lists and stepped ranges pass as they are. */
export function farmRange(range: string): string {
  return range
    .split(',')
    .map((r) => r.trim())
    .map((r) => (/^\d+-\d+$/.test(r) ? `${r}[1]` : r))
    .join(',');
}

type TaskDoc = {
  task_info?: Record<string, unknown>;
  software_config?: Record<string, unknown>;
};

async function readTaskDoc(jobDir: string): Promise<{ path: string; doc: TaskDoc }> {
  const path = join(jobDir, 'task.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(
      'FILE_NOT_FOUND',
      `no job folder at ${jobDir} (${path} is missing): make one with \`openfarm analyze SCENE\``,
      { cause: e },
    );
  }
  try {
    return { path, doc: JSON.parse(text) as TaskDoc };
  } catch (e) {
    throw new CliError(
      'PARAMETER_INVALID',
      `${path} is not valid JSON: run \`openfarm analyze SCENE\` again`,
      { cause: e },
    );
  }
}

/** One line per tip: its kind and code, what it means, what the analyzer found. */
export async function tipLines(jobDir: string): Promise<string[]> {
  let tips: Record<string, unknown> = {};
  try {
    tips = JSON.parse(await readFile(join(jobDir, 'tips.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const [code, details] of Object.entries(tips)) {
    const entry = tipCodeEntry(code);
    const kind = entry === undefined ? 'tip' : entry.type === 1 ? 'error' : 'warning';
    lines.push(`${kind} ${terminalSafe(code)}: ${terminalSafe(entry?.en ?? 'not in this CLI’s table')}`);
    for (const d of Array.isArray(details) ? details : [details])
      lines.push(`  ${terminalSafe(typeof d === 'string' ? d : JSON.stringify(d))}`);
    if (entry?.solutionEn) lines.push(`  fix: ${entry.solutionEn}`);
  }
  return lines;
}

/**
 * Check a job folder: apply the options to its task.json, run RayvisionCheck
 * (ids, hardware, software, tips), and return the task id it filled in. A
 * blocking tip is a CliError that names what to do next.
 */
export async function checkJob(api: RayvisionAPI, jobDir: string, flags: CheckFlags): Promise<number> {
  const hardwareConfig = parseHardware(flags.hardware);
  const { path, doc } = await readTaskDoc(jobDir);
  if (flags.softwareVersion !== undefined || flags.project !== undefined) {
    doc.software_config ??= {};
    doc.task_info ??= {};
    if (flags.softwareVersion !== undefined) doc.software_config.cg_version = flags.softwareVersion;
    if (flags.project !== undefined) doc.task_info.project_name = flags.project;
    await writeJsonAtomic(path, doc);
  }
  try {
    return await new RayvisionCheck(api, {
      taskJson: path,
      uploadJson: join(jobDir, 'upload.json'),
      tipsJson: join(jobDir, 'tips.json'),
      assetJson: join(jobDir, 'asset.json'),
    }).execute({ hardwareConfig });
  } catch (e) {
    if (e instanceof TipsBlockingError) {
      const codes = e.problems.map((p) => p.code).join(', ');
      throw new CliError(
        'PARAMETER_INVALID',
        `the analysis found ${e.problems.length} blocking problem(s) (${codes}): fix the scene, then run ` +
          '`openfarm analyze SCENE` and `openfarm check JOBDIR` again (`openfarm tips CODE` explains a code)',
        { cause: e, detail: { problems: e.problems } },
      );
    }
    throw e;
  }
}

/** The task id a checked job folder carries, or an error naming `openfarm check`. */
export async function checkedTaskId(jobDir: string): Promise<number> {
  const { path, doc } = await readTaskDoc(jobDir);
  const id = String(doc.task_info?.task_id ?? '');
  if (!/^[1-9]\d*$/.test(id)) {
    throw new CliError(
      'TASK_ID_TYPE_ERROR',
      `${path} has no task id yet: run \`openfarm check ${jobDir}\` first`,
    );
  }
  return Number(id);
}

/** Write the submit options (test frames, pause after them) into task.json before it is uploaded. */
async function applySubmitOptions(jobDir: string, flags: SubmitFlags): Promise<void> {
  if (flags.testFrames === undefined && flags.stopAfterTest !== true) return;
  const { path, doc } = await readTaskDoc(jobDir);
  doc.task_info ??= {};
  const info = doc.task_info;
  if (flags.testFrames !== undefined) info.pre_frames = `000:${farmRange(flags.testFrames)}`;
  if (flags.stopAfterTest === true) info.stop_after_test = '1';
  await writeJsonAtomic(path, doc);
}

/**
 * Upload a checked job folder (its four files to the config storage, its
 * assets to the input storage), submit it, and set its priority.
 */
export async function submitJob(
  api: RayvisionAPI,
  jobDir: string,
  flags: SubmitFlags,
  upload: RayvisionUpload = new RayvisionUpload(api),
): Promise<number> {
  const taskId = await checkedTaskId(jobDir);
  await applySubmitOptions(jobDir, flags);
  const files = JOB_FILES.map((f) => join(jobDir, f));
  await upload.uploadConfig(String(taskId), files);
  await upload.uploadAsset(join(jobDir, 'upload.json'));
  await api.task.submitTask(taskId);
  if (flags.priority !== undefined) await api.task.updatePriority(taskId, flags.priority);
  return taskId;
}
