/**
 * Choosing the hardware configuration (reference §5 step 3): the request names
 * a model, RAM and GPU count; the farm's list says, per configuration, which
 * software ids, plugins and scene tips codes it cannot take.
 */
import { CG_ID } from '@openfarm/protocol';
import type { Output } from '../operators/caller.js';
import {
  type HardwareChoice,
  HardwareConfigIdError,
  NotSupportCGSoftwareError,
  NotSupportHardwareCodeError,
  NotSupportPluginError,
} from './errors.js';

/** One entry of the farm's hardware configuration list. */
export type HardwareConfig = Output<'user.getHardwareConfig'>[number];

export interface HardwareRequest {
  /** "Default", "28C", "1080Ti", "2080Ti" … */
  model: string;
  /** "64GB", "128GB" */
  ram: string;
  /** null for CPU machines, "2*GPU" … */
  gpuNum?: string | null;
}

export interface SceneFacts {
  cgId: number;
  software: string;
  cgVersion: string;
  /** `software_config.plugins`: name → version. */
  plugins: Readonly<Record<string, string>>;
  /** Codes found in tips.json. */
  tipsCodes: readonly string[];
  /** The task's render region. */
  platform: number;
}

/** The fields task.json's task_info gets from the chosen configuration. */
export interface HardwareFields {
  hardwareConfigId: string;
  ram: string;
  graphics_cards_num: string;
}

function choiceOf(c: { model: string; ram: string; gpuNum?: string | null }): HardwareChoice {
  return { model: c.model, ram: c.ram, gpuNum: c.gpuNum ?? null };
}

function sameChoice(a: HardwareChoice, b: HardwareChoice): boolean {
  return a.model === b.model && a.ram === b.ram && a.gpuNum === b.gpuNum;
}

/**
 * A `notSupportPluginList` pattern as the reference applies it: parentheses
 * removed, case-insensitive, searched anywhere. A pattern that is not a valid
 * regular expression is matched as plain text rather than failing the check.
 */
function pluginPattern(pattern: string): RegExp {
  const cleaned = pattern.replace(/[()]/g, '');
  try {
    return new RegExp(cleaned, 'i');
  } catch {
    return new RegExp(cleaned.replace(/[.*+?^${}|[\]\\]/g, '\\$&'), 'i');
  }
}

/** Cinema 4D 2024 cannot run on these GPU regions' older models (a rule of the reference). */
const C4D_2024_GPU_PLATFORMS: ReadonlySet<number> = new Set([21, 59, 61]);
const C4D_2024_REFUSED_MODELS: ReadonlySet<string> = new Set(['1080ti', 'default']);

export function chooseHardwareConfig(
  configs: readonly HardwareConfig[],
  request: HardwareRequest,
  scene: SceneFacts,
): HardwareFields {
  if (typeof request?.model !== 'string' || typeof request.ram !== 'string') {
    throw new HardwareConfigIdError(
      'hardwareConfig must give model and ram (and gpuNum for GPU machines)',
      allowedChoices(configs, scene),
    );
  }
  const wanted = choiceOf(request);
  if (
    scene.cgId === CG_ID.CINEMA4D &&
    scene.cgVersion.startsWith('2024') &&
    C4D_2024_GPU_PLATFORMS.has(scene.platform) &&
    C4D_2024_REFUSED_MODELS.has(wanted.model.toLowerCase())
  ) {
    throw new HardwareConfigIdError(
      `Cinema 4D 2024 cannot render on model ${wanted.model} of platform ${scene.platform}`,
      allowedChoices(configs, scene).filter((c) => !C4D_2024_REFUSED_MODELS.has(c.model.toLowerCase())),
    );
  }
  const sceneCodes = new Set(scene.tipsCodes.map(String));
  const pluginTexts = Object.entries(scene.plugins).map(([name, version]) => `${name} ${version}`);
  let conflictingCodes: string[] = [];
  let chosen: HardwareConfig | undefined;
  for (const config of configs) {
    if (!config.status) continue;
    const choice = choiceOf(config);
    if ((config.notSupportCgId ?? []).includes(scene.cgId) && sameChoice(choice, wanted)) {
      throw new NotSupportCGSoftwareError(scene.software, wanted);
    }
    const codes = (config.notSupportCode ?? []).map(String).filter((c) => sceneCodes.has(c));
    if (codes.length > 0) {
      if (config.model === wanted.model) conflictingCodes = codes;
      continue;
    }
    if (config.platform !== scene.platform) continue;
    if (!sameChoice(choice, wanted)) continue;
    const refused = pluginTexts.filter((text) =>
      (config.notSupportPluginList ?? []).some((p) => pluginPattern(p).test(text)),
    );
    if (refused.length > 0) throw new NotSupportPluginError(refused, wanted);
    chosen = config; // the last match wins, as the reference
  }
  if (conflictingCodes.length > 0) {
    throw new NotSupportHardwareCodeError(conflictingCodes, wanted, allowedChoices(configs, scene));
  }
  if (chosen === undefined) {
    throw new HardwareConfigIdError(
      `no enabled hardware config {model: ${wanted.model}, ram: ${wanted.ram}, gpuNum: ${wanted.gpuNum ?? 'null'}} on platform ${scene.platform}`,
      allowedChoices(configs, scene),
    );
  }
  return {
    hardwareConfigId: String(chosen.id),
    ram: wanted.ram.replace(/GB$/i, ''),
    graphics_cards_num: wanted.gpuNum?.charAt(0) || '2',
  };
}

/** What the scene could use instead: enabled, on its platform, not refusing its software or tips. */
function allowedChoices(configs: readonly HardwareConfig[], scene: SceneFacts): HardwareChoice[] {
  const sceneCodes = new Set(scene.tipsCodes.map(String));
  return configs
    .filter(
      (c) =>
        c.status &&
        c.platform === scene.platform &&
        !(c.notSupportCgId ?? []).includes(scene.cgId) &&
        !(c.notSupportCode ?? []).some((code) => sceneCodes.has(String(code))),
    )
    .map(choiceOf);
}
