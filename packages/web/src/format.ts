/** Status words, durations and times as the pages show them. */

const TASK_STATUS_WORDS: Record<number, string> = {
  0: 'Waiting',
  5: 'Rendering',
  8: 'Preprocessing',
  10: 'Stopped',
  15: 'Stopped by user',
  20: 'Stopped (arrears)',
  23: 'Stopped (time-out)',
  25: 'Done',
  30: 'Done with failures',
  35: 'Abandoned',
  40: 'Test frames done',
  45: 'Failed',
  50: 'Analysing',
  100: 'Updating',
};

const FRAME_STATUS_WORDS: Record<number, string> = {
  1: 'Waiting',
  2: 'Rendering',
  3: 'Stopped',
  4: 'Done',
  5: 'Failed',
  6: 'Waiting for preprocessing',
  7: 'Waiting for photon frame',
  8: 'Held after test frames',
  9: 'Waiting for photon job',
  10: 'Waiting for solve job',
  11: 'Timed out',
};

export function taskStatusText(status: number): string {
  return TASK_STATUS_WORDS[status] ?? `Status ${status}`;
}

export function frameStatusText(state: number): string {
  return FRAME_STATUS_WORDS[state] ?? `State ${state}`;
}

/** The filter choices of the task list: a word and the statuses it stands for. */
export const STATUS_FILTERS: ReadonlyArray<{ value: string; label: string; statuses: readonly number[] }> = [
  { value: 'waiting', label: 'Waiting', statuses: [0, 8, 40, 50, 100] },
  { value: 'rendering', label: 'Rendering', statuses: [5] },
  { value: 'stopped', label: 'Stopped', statuses: [10, 15, 20, 23] },
  { value: 'done', label: 'Done', statuses: [25] },
  { value: 'failures', label: 'Done with failures or failed', statuses: [30, 45] },
  { value: 'abandoned', label: 'Abandoned', statuses: [35] },
];

/** "1 h 02 min", "3 min 05 s", "12 s"; an em dash for nothing. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** ISO-like UTC time, minute precision: what the list shows for submit times. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "12 s ago", "5 min ago", "3 h ago", or the time for older instants. */
export function formatAgo(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ago`;
  return formatTime(ms);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
