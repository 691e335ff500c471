/**
 * What this node tells the farm about itself when it registers: OS, cores,
 * memory, GPUs, slots, and the renderers it really has (detected, with the
 * versions read from them).
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, platform, totalmem } from 'node:os';
import type { InstalledRenderer } from '../renderers/adapter.js';
import type { NodeCapabilities } from './node-api.js';

/** NVIDIA GPUs visible to the driver (`/dev/nvidia0`, `/dev/nvidia1`, …); 0 elsewhere. */
export function countGpus(): number {
  try {
    return readdirSync('/dev').filter((n) => /^nvidia\d+$/.test(n)).length;
  } catch {
    return 0;
  }
}

export function nodeCapabilities(
  renderers: readonly InstalledRenderer[],
  opts: {
    slots: number;
    platform: number | null;
    hardwareConfigIds: readonly number[];
    agentVersion: string;
  },
): NodeCapabilities {
  return {
    os: platform(),
    cores: availableParallelism(),
    ramMb: Math.round(totalmem() / 2 ** 20),
    gpus: countGpus(),
    slots: opts.slots,
    platform: opts.platform,
    renderers: renderers.map((r) => ({ cgName: r.cgName, version: r.version })),
    hardwareConfigIds: opts.hardwareConfigIds,
    agentVersion: opts.agentVersion,
  };
}
