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
