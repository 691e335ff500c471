/**
 * What a node that died leaves behind, and clearing it up when it starts again.
 *
 * A renderer runs in its own process group (so it can be killed as a whole).
 * Its wrapper kills it within seconds of the node's death (process/supervise.ts),
 * but a node whose renderer ignored that, or one from before the wrapper, may
 * still leave one. The agent records each renderer's group in
 * `<workRoot>/pids/<frameId>.json` with the process's start time and, when it
 * starts again, kills the groups still recorded — only when the process is
 * still that renderer: same start time (a recycled pid has another) and the
 * executable on its command line.
 *
 * The scratch folders of the dead node's leases (`<workRoot>/leases/`) are
 * removed too: no one will collect what they hold (the farm gives the frames to
 * a node again). So that this never removes the folders of a node still running
 * on the same work folder, a node claims its work folder in `<workRoot>/node.json`
 * and refuses one claimed by a live node.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerError } from '../errors.js';
import { processStartTime } from '../process/start-time.js';
import { groupAlive, signalGroup } from '../process/supervise.js';

interface PidRecord {
  pid: number;
  executable: string;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22); null off Linux. */
  startTime?: string | null;
}

function dir(workRoot: string): string {
  return join(workRoot, 'pids');
}

export function recordRendererPid(workRoot: string, frameId: number, pid: number, executable: string): void {
  mkdirSync(dir(workRoot), { recursive: true });
  writeFileSync(
    join(dir(workRoot), `${frameId}.json`),
    JSON.stringify({ pid, executable, startTime: processStartTime(pid) } satisfies PidRecord),
  );
}

export function forgetRendererPid(workRoot: string, frameId: number): void {
  rmSync(join(dir(workRoot), `${frameId}.json`), { force: true });
}

function isRenderer(rec: PidRecord): boolean {
  if (typeof rec.startTime === 'string' && processStartTime(rec.pid) !== rec.startTime) return false;
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

interface NodeClaim {
  pid: number;
  startTime: string | null;
}

/**
 * Claim `workRoot` for this process. Throws when a live node (another process,
 * same start time as recorded) holds it; a claim of a dead node is taken over.
 */
export function claimWorkRoot(workRoot: string): void {
  const file = join(workRoot, 'node.json');
  let held: NodeClaim | undefined;
  try {
    held = JSON.parse(readFileSync(file, 'utf8')) as NodeClaim;
  } catch {
    // no claim, or an unreadable one: nobody we can name holds the folder
  }
  if (
    held !== undefined &&
    held.pid !== process.pid &&
    processStartTime(held.pid) !== null &&
    processStartTime(held.pid) === held.startTime
  ) {
    throw new WorkerError(
      'FORBIDDEN',
      `the work folder ${workRoot} is in use by another render node (pid ${held.pid}); give each node its own --work`,
    );
  }
  mkdirSync(workRoot, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) } satisfies NodeClaim),
  );
}

/** Remove the lease folders (staged inputs, outputs) a previous run of this node left. Returns how many. */
export function removeLeftoverLeases(workRoot: string): number {
  const leases = join(workRoot, 'leases');
  let names: string[];
  try {
    names = readdirSync(leases);
  } catch {
    return 0;
  }
  for (const name of names) rmSync(join(leases, name), { recursive: true, force: true });
  return names.length;
}
