/**
 * Ctrl-C while a command follows a task: the first SIGINT or SIGTERM stops
 * the following cleanly (files already on disk stay, the summary is printed,
 * the farm keeps rendering); a second one quits at once.
 */

/** Exit codes of a command stopped by a signal, as shells report them (128 + signal number). */
const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface Interruptible<T> {
  value: T;
  /** The signal that stopped the work early, if one did. */
  interruptedBy?: NodeJS.Signals;
}

/** Run `work` with an AbortSignal that SIGINT/SIGTERM abort; sets the exit code when one did. */
export async function untilInterrupted<T>(
  work: (signal: AbortSignal) => Promise<T>,
): Promise<Interruptible<T>> {
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interruptedBy !== undefined) process.exit(EXIT_CODES[signal] ?? 1);
    interruptedBy = signal;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const value = await work(controller.signal);
    if (interruptedBy === undefined) return { value };
    process.exitCode = EXIT_CODES[interruptedBy] ?? 1;
    return { value, interruptedBy };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `text` as one shell word: quoted when it holds anything a shell would read specially. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface FollowAgain {
  taskIds: readonly number[];
  /** `--after-complete` instead of `--realtime`. */
  afterComplete?: boolean;
  /** Absolute local folder, when one was chosen. */
  to?: string | undefined;
  flat?: boolean;
  /** Given only when the user named the farm on the command line. */
  server?: string | undefined;
  maxSpeed?: number | undefined;
}

/**
 * The `openfarm download` command that picks up where a stopped follow left
 * off: files already on disk are skipped, the rest arrive as frames finish.
 */
export function followAgainCommand(f: FollowAgain): string {
  const words = [
    'openfarm',
    'download',
    ...f.taskIds.map(String),
    f.afterComplete ? '--after-complete' : '--realtime',
  ];
  if (f.flat === true) words.push('--flat');
  if (f.to !== undefined) words.push('--to', shellWord(f.to));
  if (f.server !== undefined) words.push('--server', shellWord(f.server));
  if (f.maxSpeed !== undefined) words.push('--max-speed', String(f.maxSpeed));
  return words.join(' ');
}
