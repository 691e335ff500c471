/** Step 2 of the check (reference §5): the scene's software version must be one the farm renders. */
import { softwareById } from '@openfarm/protocol';
import { RayvisionError } from '../errors.js';
import type { CheckClient } from './client.js';
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
 * Ask the farm for the versions its live render nodes have for the node OS
 * the task asks for (task_info.os_name "1" Windows, "0" Linux) and require an
 * exact match. The farm lists only what its live nodes render. When no live
 * node renders this software at all (nodes switched off, or started on demand
 * for queued work), the check warns with what to do and lets the task
 * through: it waits in the queue until such a node starts. When live nodes
 * render it but none has this version, the version is refused.
 */
export async function checkSoftwareVersion(
  api: CheckClient,
  software: SoftwareFacts,
  osName: unknown,
): Promise<void> {
  const os = String(osName) === '1' ? 'windows' : 'linux';
  const detail = await api.query.supportedPlugin(software.cgId, os);
  const supported = [...new Set(detail.cgVersion.map((v) => v.cgVersion))].sort();
  if (supported.length === 0) {
    api.logger.warn(noRenderNodeTip(software, os));
    return;
  }
  if (!supported.includes(software.version)) {
    throw new SoftwareVersionError(software.name, software.version, supported);
  }
}

/** The warning for a farm where no live render node renders the software. */
export function noRenderNodeTip(software: SoftwareFacts, os: string): string {
  return (
    `no ${os} render node of this farm can render ${software.name} ${software.version} now: ` +
    `the task will wait until one does; start a render node with ${software.name} ${software.version} ` +
    `installed (openfarm worker) to render it`
  );
}
