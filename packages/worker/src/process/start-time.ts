/**
 * A process's start time (Linux), which tells a pid's process from a later one given the same
 * pid: the pid records of renderers (agent/renderer-pids.ts), the work-folder claim and the
 * content cache's per-process fill folders all name a process by pid and start time.
 */
import { readFileSync } from 'node:fs';

/** Start time in clock ticks since boot (/proc/PID/stat field 22); null when gone or off Linux. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3 (state); start time is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
