/** The render node's kind of map, for the crate rewrite tests: a few roots of the artist's machine into the staged tree. */
export const STAGE_ROOTS: ReadonlyArray<readonly [string, string]> = [
  ['D:/', '/stage/D/'],
  ['//fileserver/', '/stage/fileserver/'],
  ['/Volumes/', '/stage/Volumes/'],
];

/** A token under one of {@link STAGE_ROOTS} mapped into the staged tree, or undefined. */
export function mapToStage(token: string): string | undefined {
  for (const [from, to] of STAGE_ROOTS) if (token.startsWith(from)) return to + token.slice(from.length);
  return undefined;
}
