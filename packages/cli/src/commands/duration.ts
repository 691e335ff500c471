import { CliError } from '../errors.js';

/** Durations on the command line: `90s`, `30m`, `1h`, `2d`, or milliseconds as a bare number. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (m === null)
    throw new CliError(
      'PARAMETER_INVALID',
      `${option}: ${JSON.stringify(text)} is not a duration (e.g. 90s, 30m, 1h, 2d)`,
    );
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] as number));
}
