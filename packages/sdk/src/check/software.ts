/** Step 2 of the check (reference §5): the scene's software version must be one the farm renders. */
import { softwareById } from '@openfarm/protocol';
import type { RayvisionAPI } from '../api.js';
import { RayvisionError } from '../errors.js';
import { SoftwareVersionError } from './errors.js';

export interface SoftwareFacts {
  cgId: number;
  /** Display name, e.g. "Blender". */
  name: string;
  version: string;
}

/** Read `cg_id` and the version from task.json; an unknown id is a clear error, not a failed lookup. */
export function softwareOf(cgIdValue: unknown, cgVersion: string, cgName: unknown): SoftwareFacts {
  const software =
    typeof cgIdValue === 'string' || typeof cgIdValue === 'number' ? softwareById(cgIdValue) : undefined;
  if (software === undefined) {
    throw new RayvisionError(
      'TASK_KEY_ERROR',
      `task_info.cg_id "${String(cgIdValue)}" is not a known software id`,
    );
  }
  return {
    cgId: software.cgId,
    name: typeof cgName === 'string' && cgName ? cgName : software.cgName,
    version: cgVersion,
  };
}

/**
 * Ask the farm for the versions it has for the render node OS the task asks
 * for (task_info.os_name "1" Windows, "0" Linux) and require an exact match.
 */
export async function checkSoftwareVersion(
  api: RayvisionAPI,
  software: SoftwareFacts,
  osName: unknown,
): Promise<void> {
  const os = String(osName) === '1' ? 'windows' : 'linux';
  const detail = await api.query.supportedPlugin(software.cgId, os);
  const supported = [...new Set(detail.cgVersion.map((v) => v.cgVersion))].sort();
  if (!supported.includes(software.version)) {
    throw new SoftwareVersionError(software.name, software.version, supported);
  }
}
