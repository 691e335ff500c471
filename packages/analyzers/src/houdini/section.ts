/** One named entry of a Houdini scene file: a node section (`obj/geo1.parm`) or a global one (`.start`). */
export interface HipSection {
  name: string;
  /** Raw bytes of the entry body; decoded on demand because most sections are never read. */
  body: Uint8Array;
}

/** How the sections were stored: commercial cpio, Apprentice (`HouNC`) or Indie (`HouLC`) markers. */
export type HipContainer = 'cpio' | 'apprentice' | 'indie';

export interface HipArchive {
  container: HipContainer;
  sections: HipSection[];
}

/** Limits that keep a damaged or hostile file from costing unbounded time or memory. */
export const MAX_HIP_SECTIONS = 1_000_000;

const utf8 = new TextDecoder('utf-8');

/** Section text. Houdini writes UTF-8; invalid bytes (binary sections) become U+FFFD instead of failing. */
export function sectionText(section: HipSection): string {
  return utf8.decode(section.body);
}
