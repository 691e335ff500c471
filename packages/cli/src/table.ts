/** Tables and cells for the client commands' human output. */
import { codesForWords } from '@openfarm/protocol';
import { InvalidArgumentError } from 'commander';
import { terminalSafe } from './output.js';

/** One cell: `-` when empty; control and bidi characters escaped, so a name cannot break the table. */
export function cell(value: unknown): string {
  return value === null || value === undefined || value === '' ? '-' : terminalSafe(String(value));
}

export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cells = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + (rows.length === 0 ? '\n(none)' : '');
}

export function time(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-';
}

/**
 * A commander parser for `--status WORDS`: comma-separated words from
 * `words` (or their codes); an unknown word lists the choices.
 */
export function statusWordsOption(words: Readonly<Record<number, string>>) {
  return (text: string): number[] => {
    const { codes, unknown } = codesForWords(words, text);
    if (unknown.length > 0) {
      const choices = [...new Set(Object.values(words))].join(', ');
      throw new InvalidArgumentError(`unknown status ${unknown.join(', ')}; one of: ${choices}`);
    }
    return codes;
  };
}
