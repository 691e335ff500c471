/**
 * Hardware configurations a fresh farm offers (reference `hardwareConfig/list`).
 * Admins change them with `openfarm hardware …`.
 */
import { CG_ID } from '@openfarm/protocol';

export interface HardwareSeed {
  /** 1 CPU, 2 GPU. */
  type: number;
  model: string;
  ram: string;
  gpuNum: string | null;
  platform: number;
  notSupportCgId: number[];
  notSupportCode: string[];
  notSupportPluginList: string[];
}

// Blender tip 46002 is "Eevee on a non-GPU machine": CPU nodes cannot take such scenes.
const CPU_ONLY_REJECTS = ['46002'];

function cpu(platform: number, ram: string): HardwareSeed {
  return {
    type: 1,
    model: 'Default',
    ram,
    gpuNum: null,
    platform,
    notSupportCgId: [],
    notSupportCode: CPU_ONLY_REJECTS,
    notSupportPluginList: [],
  };
}

function gpu(platform: number, model: string, ram: string, gpuNum: string): HardwareSeed {
  return {
    type: 2,
    model,
    ram,
    gpuNum,
    platform,
    // Clarisse and Katana renders here are CPU-bound; GPU nodes do not carry them.
    notSupportCgId: [CG_ID.CLARISSE, CG_ID.KATANA],
    notSupportCode: [],
    notSupportPluginList: [],
  };
}

export const DEFAULT_HARDWARE: readonly HardwareSeed[] = [
  ...[2, 3, 6, 62].flatMap((p) => [cpu(p, '64GB'), cpu(p, '128GB')]),
  gpu(21, '1080Ti', '64GB', '1*GPU'),
  gpu(21, '1080Ti', '64GB', '2*GPU'),
  gpu(21, '2080Ti', '128GB', '2*GPU'),
  gpu(21, '3090', '128GB', '2*GPU'),
];
