/**
 * asset.json (§3.2): raw analysis output. `asset` lines read
 * `<path>  (mtime <t>) size <s>`; Blender writes `{}`; other keys (such as
 * `missing_file`) vary by analyzer, so they are kept as they are.
 */
import { z } from 'zod';

export const AssetJsonSchema = z.looseObject({
  asset: z.array(z.string()).optional(),
  missing_file: z.array(z.string()).optional(),
});

export type AssetJson = z.output<typeof AssetJsonSchema>;

/** The path part of an asset line (the reference keeps the text before "  (mtime"). */
export function assetLinePath(line: string): string {
  const i = line.indexOf('  (mtime');
  return i === -1 ? line : line.slice(0, i);
}
