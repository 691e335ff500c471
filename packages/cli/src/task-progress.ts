/**
 * Where a task stands, as one line: frames done / failed / rendering / total,
 * the frame being rendered and its percent, time elapsed and an estimate of
 * the time left from the frames already finished. `render`, `submit --wait`,
 * `wait` and `download --realtime` keep it live on a terminal (redrawn in
 * place on stderr) and print it as plain lines, only when it changes,
 * when stderr is a file or a pipe.
 */
import {
  type FrameInfo,
  FrameStatus,
  isTaskEnded,
  TASK_STATUS_WORDS,
  TaskStatus,
  wordFor,
} from '@openfarm/protocol';
import type { RayvisionAPI } from '@openfarm/sdk';
import { CliError } from './errors.js';
import { terminalSafe } from './output.js';

export interface TaskSnapshot {
  taskId: number;
  status: number;
  done: number;
  failed: number;
  rendering: number;
  total: number;
  /** The frame rendering furthest along, and its percent when the node reports one. */
  current?: { frame: string; percent?: number };
  /** Mean seconds of the finished frames. */
  meanFrameSeconds?: number;
}

/** Ask the farm where a task stands (its counts, and the running frames for the current one). */
export async function taskSnapshot(api: RayvisionAPI, taskId: number): Promise<TaskSnapshot> {
  const task = (await api.query.taskInfo([taskId])).items[0];
  if (task === undefined)
    throw new CliError('RESOURCE_NOT_FOUND', `no task ${taskId}; list your tasks with \`openfarm tasks\``);
  const snap: TaskSnapshot = {
    taskId,
    status: task.taskStatus ?? 0,
    done: task.doneFrames ?? 0,
    failed: task.failedFrames ?? 0,
    rendering: task.executingFrames ?? 0,
    total: task.totalFrames ?? 0,
  };
  // The frame list only when there is something to say from it (a frame running or done).
  if (snap.rendering > 0 || snap.done > 0) {
    const frames: FrameInfo[] = [...(await api.query.getAllFrames(taskId)).values()];
    const running = frames
      .filter((f) => f.frameStatus === FrameStatus.RUNNING)
      .sort((a, b) => (b.progress ?? 0) - (a.progress ?? 0))[0];
    if (running !== undefined) {
      snap.current = {
        frame: running.frameIndex,
        ...(typeof running.progress === 'number' ? { percent: Math.round(running.progress * 100) } : {}),
      };
    }
    const times = frames
      .filter((f) => f.frameStatus === FrameStatus.DONE && typeof f.frameExecuteTime === 'number')
      .map((f) => f.frameExecuteTime as number);
    if (times.length > 0) snap.meanFrameSeconds = times.reduce((a, b) => a + b, 0) / times.length;
  }
  return snap;
}

/** `75` → `1:15`, `3725` → `1:02:05`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Seconds left: the finished frames' mean time over what is left, shared by the frames running at once. */
export function secondsLeft(s: TaskSnapshot): number | undefined {
  if (s.meanFrameSeconds === undefined) return undefined;
  const left = Math.max(0, s.total - s.done - s.failed);
  return (s.meanFrameSeconds * left) / Math.max(1, s.rendering);
}

/** The progress line for a snapshot, `elapsedSeconds` after following began. */
export function progressText(s: TaskSnapshot, elapsedSeconds: number): string {
  const parts = [
    `task ${s.taskId} ${wordFor(TASK_STATUS_WORDS, s.status)}: ${s.done}/${s.total} done, ${s.failed} failed, ${s.rendering} rendering`,
  ];
  if (s.current !== undefined)
    parts.push(
      `frame ${terminalSafe(s.current.frame)}${s.current.percent !== undefined ? ` ${s.current.percent}%` : ''}`,
    );
  const left = isTaskEnded(s.status, true) ? undefined : secondsLeft(s);
  parts.push(`${clock(elapsedSeconds)} elapsed${left !== undefined ? `, ~${clock(left)} left` : ''}`);
  return parts.join(' | ');
}

export type LineMode = 'live' | 'plain' | 'off';

/** `--json` is for scripts: no progress; a live line on a terminal, plain lines otherwise. */
export function lineMode(json: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): LineMode {
  if (json === true) return 'off';
  return stream.isTTY === true ? 'live' : 'plain';
}

/** One progress line on stderr: redrawn in place when live, printed when changed when plain. */
export class ProgressLine {
  private shown = '';
  private last = '';

  constructor(
    private readonly mode: LineMode,
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
  ) {}

  show(text: string): void {
    if (this.mode === 'off') return;
    if (this.mode === 'live') {
      this.write(`\r\x1b[K${text}`);
      this.shown = text;
      return;
    }
    // Plain: the same counts again say nothing new (the elapsed time alone changes every second).
    const key = text.replace(/\d+:\d\d(:\d\d)? elapsed.*$/, '');
    if (key === this.last) return;
    this.last = key;
    this.write(`${text}\n`);
  }

  /** Print a line of output above the progress line (which is redrawn after it). */
  above(print: () => void): void {
    if (this.mode === 'live' && this.shown !== '') this.write('\r\x1b[K');
    print();
    if (this.mode === 'live' && this.shown !== '') this.write(this.shown);
  }

  /** Leave the last line on screen and move below it. */
  end(): void {
    if (this.mode === 'live' && this.shown !== '') this.write('\n');
    this.shown = '';
  }
}

/** Wait `ms`, or less when `signal` aborts; leaves no listener behind. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', wake);
      resolve();
    }, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Seconds between looks at the farm. */
  intervalSeconds?: number;
  /** A task paused after its test frames counts as ended. */
  isTestStop?: boolean;
  /** Keep going when the farm cannot be asked (the line only accompanies other work). */
  tolerant?: boolean;
  /** Stop without waiting for the end (the caller's own work is done). */
  until?: () => boolean;
}

/**
 * Follow tasks until each has ended (or `signal` aborts), showing the line
 * for the task being followed; returns the last snapshot of each.
 */
export async function followTasks(
  api: RayvisionAPI,
  taskIds: readonly number[],
  line: ProgressLine,
  options: FollowOptions = {},
): Promise<TaskSnapshot[]> {
  const started = performance.now();
  const interval = (options.intervalSeconds ?? 1) * 1000;
  const last = new Map<number, TaskSnapshot>();
  for (;;) {
    for (const id of taskIds) {
      if (last.has(id) && isTaskEnded(last.get(id)?.status ?? 0, options.isTestStop)) continue;
      let snap: TaskSnapshot;
      try {
        snap = await taskSnapshot(api, id);
      } catch (e) {
        // Beside a download that rides out outages, the line waits for the farm too.
        if (options.tolerant !== true) throw e;
        continue;
      }
      last.set(id, snap);
      line.show(progressText(snap, (performance.now() - started) / 1000));
    }
    const ended =
      last.size === taskIds.length &&
      [...last.values()].every((s) => isTaskEnded(s.status, options.isTestStop));
    if (ended || options.signal?.aborted === true || options.until?.() === true) break;
    await pause(interval, options.signal);
  }
  line.end();
  return taskIds.flatMap((id) => last.get(id) ?? []);
}

/** The exit status of a followed task: 0 every frame done, 2 frames failed, 3 stopped or abandoned, 4 paused after its test frames. */
export function exitCodeOf(status: number): number {
  if (status === TaskStatus.FINISHED) return 0;
  if (status === TaskStatus.FINISHED_WITH_FAILURES || status === TaskStatus.FAILED) return 2;
  if (status === TaskStatus.TEST_DONE) return 4;
  return 3;
}
