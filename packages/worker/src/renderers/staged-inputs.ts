/**
 * What a job's staged inputs and task.json say about the renderers that will
 * read them, for the adapters that hand a renderer its own path map (Redshift's
 * override file, Arnold's path map) only when that renderer is involved.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderJob } from './adapter.js';
import { asRecord, sceneInfo, str } from './scene-info.js';

/** At most this many staged entries are looked at, so a huge tree costs bounded time. */
const WALK_LIMIT = 200_000;

/** Whether the staged tree holds a file whose lower-cased name ends in one of `suffixes`; stops at the first. */
export async function stagesFileEndingIn(root: string, suffixes: readonly string[]): Promise<boolean> {
  const todo = [root];
  let seen = 0;
  while (todo.length > 0 && seen < WALK_LIMIT) {
    const dir = todo.pop() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen += 1;
      const name = e.name.toLowerCase();
      if (e.isDirectory()) todo.push(join(dir, e.name));
      else if (suffixes.some((s) => name.endsWith(s))) return true;
    }
  }
  return false;
}

/**
 * Whether a layer of `scene_info_render` renders with `renderer` (its
 * `common.renderer`, as the Maya analyzer writes it) or a plugin of
 * `software_config.plugins` matches `plugin` (`redshift`, `mtoa`, `htoa`…).
 */
export function taskUsesRenderer(job: RenderJob, renderer: string, plugin: RegExp): boolean {
  for (const layer of Object.values(sceneInfo(job))) {
    if (str(asRecord(asRecord(layer)?.common)?.renderer)?.toLowerCase() === renderer) return true;
  }
  return Object.keys(job.task.software_config.plugins ?? {}).some((k) => plugin.test(k));
}
