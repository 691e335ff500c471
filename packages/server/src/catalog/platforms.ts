/**
 * Render platforms (regions) a fresh farm offers. Numbers follow the
 * reference's known platforms so clients configured for platform "2" or "62"
 * work unchanged; `taskPrefix` builds task aliases (`2W10000`).
 */
export interface PlatformSeed {
  platform: number;
  name: string;
  /** 0 GPU, 1 CPU, 2 picture. */
  type: number;
  taskPrefix: string;
}

export const DEFAULT_PLATFORMS: readonly PlatformSeed[] = [
  { platform: 2, name: 'W2', type: 1, taskPrefix: 'W' },
  { platform: 3, name: 'W3', type: 1, taskPrefix: 'W' },
  { platform: 6, name: 'W6', type: 1, taskPrefix: 'W' },
  { platform: 21, name: 'GPU1', type: 0, taskPrefix: 'G' },
  { platform: 62, name: 'W62', type: 1, taskPrefix: 'W' },
];
