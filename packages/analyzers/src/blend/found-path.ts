import type { BlendExternalFile, BlendExternalKind } from './blend-info.js';

/** A path one of the extractors found, before empty ones are dropped and defaults filled in. */
export interface FoundPath {
  kind: BlendExternalKind;
  owner: string;
  path: string | undefined;
  packed?: boolean;
  expansion?: BlendExternalFile['expansion'];
}
