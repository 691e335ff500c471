/** tips.json (§3.4): analysis findings, code → details. `{}` means clean. */
import { z } from 'zod';

export const TipsJsonSchema = z.record(
  z.string().regex(/^\d+$/, 'expected a numeric tip code as the key, e.g. "15013"'),
  // The reference's Blender example uses a bare string; lists are the norm.
  z.union([z.array(z.string()), z.string()], { error: 'expected a list of detail strings' }),
);

export type TipsJson = z.output<typeof TipsJsonSchema>;

/** The details of every code as lists (a bare string becomes a one-item list). */
export function tipsDetails(tips: TipsJson): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [code, v] of Object.entries(tips)) out[code] = typeof v === 'string' ? [v] : [...v];
  return out;
}
