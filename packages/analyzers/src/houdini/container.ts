import { AnalyzeError } from '../core/index.js';
import { isCpio, readCpioSections } from './cpio.js';
import { markerContainer, readMarkerSections } from './nc-markers.js';
import type { HipArchive } from './section.js';

/** Split a Houdini scene file into its sections, choosing the container by the first bytes, not the extension. */
export function readHipArchive(bytes: Uint8Array, file?: string): HipArchive {
  if (isCpio(bytes)) return { container: 'cpio', sections: readCpioSections(bytes, file) };
  const kind = markerContainer(bytes);
  if (kind !== undefined) return { container: kind, sections: readMarkerSections(bytes, file) };
  throw new AnalyzeError(
    'WRONG_FORMAT',
    'not a Houdini scene (neither a cpio archive nor HouNC/HouLC sections)',
    file,
  );
}
