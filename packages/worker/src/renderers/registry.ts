/**
 * Every renderer adapter this node knows, and the detection that decides which
 * ones it advertises: only renderers actually installed, with the versions read
 * from them.
 */
import type { InstalledRenderer, RendererAdapter } from './adapter.js';
import { blenderAdapter } from './blender.js';
import { cinema4dAdapter } from './cinema4d.js';
import { clarisseAdapter } from './clarisse.js';
import { houdiniAdapter } from './houdini.js';
import { katanaAdapter } from './katana.js';
import { mayaAdapter } from './maya.js';

export const RENDERER_ADAPTERS: readonly RendererAdapter[] = [
  blenderAdapter,
  mayaAdapter,
  houdiniAdapter,
  clarisseAdapter,
  katanaAdapter,
  cinema4dAdapter,
];

/** The adapter for a task.json `software_config.cg_name` (case-insensitive). */
export function adapterFor(cgName: string): RendererAdapter | undefined {
  const n = cgName.trim().toLowerCase();
  return RENDERER_ADAPTERS.find((a) => a.cgName.toLowerCase() === n);
}

/** The renderers installed on this node. */
export async function detectRenderers(env: NodeJS.ProcessEnv = process.env): Promise<InstalledRenderer[]> {
  const found = await Promise.all(RENDERER_ADAPTERS.map((a) => a.detect(env)));
  return found.filter((r): r is InstalledRenderer => r !== undefined);
}
