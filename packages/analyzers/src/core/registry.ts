import { basename } from 'node:path';
import { AnalyzeError } from './errors.js';
import type { AnalyzeOptions } from './options.js';
import type { SceneAnalyzer } from './scene-analyzer.js';

/** An Analyze* class. */
export type AnalyzerClass = new (options: AnalyzeOptions) => SceneAnalyzer<unknown>;

/** A lower-case extension with its dot (`.ma`) or a pattern over the lower-cased file name (`/\.blend\d+$/`). */
export type ExtensionMatcher = string | RegExp;

const registered: { matchers: readonly ExtensionMatcher[]; analyzer: AnalyzerClass }[] = [];

/**
 * Make {@link analyzeScene} pick `analyzer` for these extensions. Each format
 * folder's index.ts registers its class when the package entry loads it.
 */
export function registerAnalyzer(matchers: readonly ExtensionMatcher[], analyzer: AnalyzerClass): void {
  registered.push({ matchers, analyzer });
}

/** The class registered for this file name, or undefined. */
export function analyzerFor(cgFile: string): AnalyzerClass | undefined {
  const name = basename(cgFile).toLowerCase();
  for (const { matchers, analyzer } of registered) {
    for (const m of matchers) {
      if (typeof m === 'string' ? name.endsWith(m) : m.test(name)) return analyzer;
    }
  }
  return undefined;
}

/** Analyze a scene with the analyzer its extension selects; resolves to the analyzer, job files written. */
export async function analyzeScene(
  cgFile: string,
  options: Omit<AnalyzeOptions, 'cgFile'> = {},
): Promise<SceneAnalyzer<unknown>> {
  const analyzer = analyzerFor(cgFile);
  if (analyzer === undefined) {
    throw new AnalyzeError('UNSUPPORTED_FORMAT', 'no analyzer for this file extension', cgFile);
  }
  return new analyzer({ ...options, cgFile }).analyse();
}
