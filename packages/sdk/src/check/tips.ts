/**
 * Steps 5–6 of the check (reference §5): every tips code is looked up in the
 * farm's error catalogue; warnings are logged, and blocking errors (type 1)
 * stop the check with all of them listed at once.
 */
import type { CheckClient } from './client.js';
import { TipsBlockingError, type TipProblem } from './errors.js';
import { type TipsDocument, tipDetails } from './job-documents.js';

const BLOCKING = 1;

export async function resolveTips(api: CheckClient, tips: TipsDocument): Promise<TipProblem[]> {
  const codes = Object.keys(tips);
  if (codes.length === 0) return [];
  // One call for all codes; the language follows the domain (see client/region.ts).
  const records = await api.query.errorDetail({ codes });
  const problems: TipProblem[] = [];
  for (const code of codes) {
    const matching = records.filter((r) => r.code === code);
    if (matching.length === 0) {
      // The farm does not know the code: it cannot be blocking, but the user should see it.
      api.logger.warn(
        `tips code ${code} is not in the farm's error catalogue: ${tipDetails(tips[code]).join('; ')}`,
      );
      continue;
    }
    for (const r of matching) {
      problems.push({
        code,
        type: r.type,
        description: r.desDescriptionCn ?? '',
        solution: r.desSolutionCn ?? '',
        details: tipDetails(tips[code]),
      });
    }
  }
  for (const p of problems) {
    api.logger.warn(`analysis ${p.type === BLOCKING ? 'error' : 'warning'} ${p.code}: ${p.description}`);
  }
  return problems;
}

/** Throw when any problem blocks submission. */
export function assertNoBlockingTips(problems: readonly TipProblem[]): void {
  const blocking = problems.filter((p) => p.type === BLOCKING);
  if (blocking.length > 0) throw new TipsBlockingError(blocking);
}
