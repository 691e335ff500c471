/**
 * Why RayvisionCheck refused a job. One class per reason, as the reference
 * (§2.5), each carrying a catalogue code and a `detail` with what would have
 * been accepted, so a script can print or act on it.
 */
import { RayvisionError } from '../errors.js';

export interface HardwareChoice {
  model: string;
  ram: string;
  gpuNum: string | null;
}

function listChoices(choices: readonly HardwareChoice[]): string {
  if (choices.length === 0) return 'none';
  return choices.map((c) => `{model: ${c.model}, ram: ${c.ram}, gpuNum: ${c.gpuNum ?? 'null'}}`).join(', ');
}

/**
 * The scene's software version is not one the farm's live render nodes have
 * (reference: RayvisionError 1000000); the message says which node to start.
 */
export class SoftwareVersionError extends RayvisionError {
  constructor(
    readonly software: string,
    readonly version: string,
    readonly supported: readonly string[],
  ) {
    super(
      'SDK_ERROR',
      `${software} ${version} is not supported, supported versions: ${supported.length > 0 ? supported.join(', ') : 'none'}` +
        ` (the versions of this farm's live render nodes; to render ${software} ${version}, start a render node with it installed)`,
      { detail: { software, version, supported } },
    );
    this.name = 'SoftwareVersionError';
  }
}

/** No enabled hardware configuration matches the request on this platform. */
export class HardwareConfigIdError extends RayvisionError {
  constructor(
    message: string,
    readonly allowed: readonly HardwareChoice[],
  ) {
    super('HARDWARE_RULE_VIOLATION', `${message}; allowed hardware configs: ${listChoices(allowed)}`, {
      detail: { allowed },
    });
    this.name = 'HardwareConfigIdError';
  }
}

/** The requested hardware configuration cannot run the scene's software. */
export class NotSupportCGSoftwareError extends RayvisionError {
  constructor(software: string, requested: HardwareChoice) {
    super(
      'HARDWARE_RULE_VIOLATION',
      `hardware config ${listChoices([requested])} does not support ${software}`,
      {
        detail: { software, requested },
      },
    );
    this.name = 'NotSupportCGSoftwareError';
  }
}

/** The requested hardware configuration cannot run a plugin the scene uses. */
export class NotSupportPluginError extends RayvisionError {
  constructor(
    readonly plugins: readonly string[],
    requested: HardwareChoice,
  ) {
    super(
      'HARDWARE_RULE_VIOLATION',
      `hardware config ${listChoices([requested])} does not support the plugin(s): ${plugins.join(', ')}`,
      { detail: { plugins, requested } },
    );
    this.name = 'NotSupportPluginError';
  }
}

/** The scene has a tips code the requested hardware model refuses (e.g. a GPU-only feature). */
export class NotSupportHardwareCodeError extends RayvisionError {
  constructor(
    readonly codes: readonly string[],
    requested: HardwareChoice,
    readonly allowed: readonly HardwareChoice[],
  ) {
    super(
      'HARDWARE_RULE_VIOLATION',
      `hardware model ${requested.model} cannot render this scene (tips ${codes.join(', ')}); allowed hardware configs: ${listChoices(allowed)}`,
      { detail: { codes, requested, allowed } },
    );
    this.name = 'NotSupportHardwareCodeError';
  }
}

export interface TipProblem {
  code: string;
  /** 1 blocks the submission, 0 is a warning. */
  type: number;
  description: string;
  solution: string;
  /** What the analyzer found (missing paths, node names). */
  details: readonly string[];
}

/** Analysis found problems the farm classes as errors; every one of them is listed. */
export class TipsBlockingError extends RayvisionError {
  constructor(readonly problems: readonly TipProblem[]) {
    const lines = problems.map(
      (p) =>
        `[${p.code}] ${p.description}${p.solution ? ` — ${p.solution}` : ''}${p.details.length > 0 ? ` (${p.details.join('; ')})` : ''}`,
    );
    super('SDK_ERROR', `There are ${problems.length} errors: ${lines.join(' | ')}`, { detail: { problems } });
    this.name = 'TipsBlockingError';
  }
}
