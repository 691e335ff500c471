/**
 * Renderers left behind by a node that died. A renderer runs in its own
 * process group (so it can be killed as a whole), which also means it outlives
 * a node agent killed with SIGKILL and would keep a core busy on a frame the
 * farm has given to another node. The agent records each renderer's group in
 * `<workRoot>/pids/<frameId>.json` and, when it starts again, kills the groups
 * still recorded — after checking the process is still that renderer, so a
 * recycled pid is never hit.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupAlive, signalGroup } from '../process/supervise.js';

interface PidRecord {
  pid: number;
  executable: string;
}

function dir(workRoot: string): string {
  return join(workRoot, 'pids');
}

export function recordRendererPid(workRoot: string, frameId: number, pid: number, executable: string): void {
  mkdirSync(dir(workRoot), { recursive: true });
  writeFileSync(
    join(dir(workRoot), `${frameId}.json`),
    JSON.stringify({ pid, executable } satisfies PidRecord),
  );
}

export function forgetRendererPid(workRoot: string, frameId: number): void {
  rmSync(join(dir(workRoot), `${frameId}.json`), { force: true });
}

function isRenderer(rec: PidRecord): boolean {
  try {
    const cmdline = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => arg === rec.executable || arg.endsWith(`/${rec.executable}`));
  } catch {
    return false;
  }
}

/** Kill renderers recorded by an earlier run of this node. Returns the pids killed. */
export function killLeftoverRenderers(workRoot: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir(workRoot));
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const name of names) {
    const file = join(dir(workRoot), name);
    try {
      const rec = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
      if (groupAlive(rec.pid) && isRenderer(rec)) {
        signalGroup(rec.pid, 'SIGKILL');
        killed.push(rec.pid);
      }
    } catch {
      // an unreadable record names nothing we can check; drop it
    }
    rmSync(file, { force: true });
  }
  return killed;
}
