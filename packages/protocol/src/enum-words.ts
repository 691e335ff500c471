/**
 * The words people read for task statuses, frame statuses and frame types:
 * one table per enum, so the CLI, the dashboard and error messages say the
 * same thing. Codes stay on the wire and in JSON; these are for humans.
 */
import { FrameStatus, FrameType, TaskStatus } from './enums.js';

export const TASK_STATUS_WORDS: Readonly<Record<number, string>> = Object.freeze({
  [TaskStatus.WAITING]: 'waiting',
  [TaskStatus.RENDERING]: 'rendering',
  [TaskStatus.PREPROCESSING]: 'preprocessing',
  [TaskStatus.STOPPED]: 'stopped',
  [TaskStatus.STOPPED_BY_USER]: 'stopped by user',
  [TaskStatus.STOPPED_ARREARS]: 'stopped for arrears',
  [TaskStatus.STOPPED_TIMEOUT]: 'timed out',
  [TaskStatus.FINISHED]: 'done',
  [TaskStatus.FINISHED_WITH_FAILURES]: 'done with failures',
  [TaskStatus.ABANDONED]: 'abandoned',
  [TaskStatus.TEST_DONE]: 'test done',
  [TaskStatus.FAILED]: 'failed',
  [TaskStatus.ANALYSING]: 'analysing',
  [TaskStatus.UPDATING]: 'updating',
});

export const FRAME_STATUS_WORDS: Readonly<Record<number, string>> = Object.freeze({
  [FrameStatus.WAITING]: 'waiting',
  [FrameStatus.RUNNING]: 'rendering',
  [FrameStatus.STOPPED]: 'stopped',
  [FrameStatus.DONE]: 'done',
  [FrameStatus.FAILED]: 'failed',
  [FrameStatus.WAITING_PREPROCESS]: 'waiting for preprocess',
  [FrameStatus.WAITING_PHOTON_FRAME]: 'waiting for photon frame',
  [FrameStatus.WAITING_PRIORITY]: 'waiting for test frames',
  [FrameStatus.WAITING_PHOTON_JOB]: 'waiting for photon job',
  [FrameStatus.WAITING_SOLVE_JOB]: 'waiting for solve job',
  [FrameStatus.TIMED_OUT]: 'timed out',
});

export const FRAME_TYPE_WORDS: Readonly<Record<number, string>> = Object.freeze({
  [FrameType.PREPROCESS]: 'preprocess',
  [FrameType.PHOTON]: 'photon',
  [FrameType.MERGED_PHOTON]: 'merged photon',
  [FrameType.PRIORITY]: 'test',
  [FrameType.MAIN]: 'main',
  [FrameType.PRIORITY_COMPOSITE]: 'test composite',
  [FrameType.MAIN_COMPOSITE]: 'main composite',
  [FrameType.HOUDINI_SOLVE]: 'houdini solve',
  [FrameType.MAX_CHANNEL]: 'max channel',
});

/** The word for `code` in `words`; an unknown code as `code N` (a newer farm may send one). */
export function wordFor(words: Readonly<Record<number, string>>, code: number | null | undefined): string {
  if (code === null || code === undefined) return '-';
  return words[code] ?? `code ${code}`;
}

/**
 * Codes for the words in `text` (comma-separated; spaces, hyphens and
 * underscores alike, case ignored, a number taken as its code). Returns the
 * words it did not know in `unknown`, so the caller can list the choices.
 */
export function codesForWords(
  words: Readonly<Record<number, string>>,
  text: string,
): { codes: number[]; unknown: string[] } {
  const norm = (w: string): string =>
    w
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, ' ');
  const byWord = new Map<string, number[]>();
  for (const [code, word] of Object.entries(words)) {
    const list = byWord.get(norm(word)) ?? [];
    list.push(Number(code));
    byWord.set(norm(word), list);
  }
  const codes: number[] = [];
  const unknown: string[] = [];
  for (const part of text
    .split(',')
    .map(norm)
    .filter((p) => p !== '')) {
    if (/^\d+$/.test(part) && words[Number(part)] !== undefined) codes.push(Number(part));
    else if (byWord.has(part)) codes.push(...(byWord.get(part) ?? []));
    else unknown.push(part);
  }
  return { codes: [...new Set(codes)], unknown };
}
