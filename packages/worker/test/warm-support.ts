/**
 * What the warm-session tests look at from outside the node: the Blender
 * processes working under a node's folder, the warm one's pid as the node
 * records it, and a task's status in the farm's database.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningFarmServer } from '@openfarm/server';

/** Live (or stopped, not zombie) Blender processes whose command line names `workDir` (its staged scene is under it). */
export function blendersUnder(workDir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(workDir) && /blender/.test(cmd)) pids.push(Number(name));
    } catch {}
  }
  return pids;
}

/** The warm Blender's pid, from the record the node keeps of it (a file named with a leading '-'). */
export async function warmBlenderPid(workDir: string): Promise<number> {
  const pidFile = (await readdir(join(workDir, 'pids'))).find((f) => f.startsWith('-'));
  assert.ok(pidFile !== undefined, 'the warm Blender is recorded');
  return (JSON.parse(await readFile(join(workDir, 'pids', pidFile), 'utf8')) as { pid: number }).pid;
}

export async function taskStatus(server: RunningFarmServer, taskId: number): Promise<number> {
  const t = await server.farm.store.db
    .selectFrom('tasks')
    .select('status')
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  return t.status;
}
