/**
 * defaultRenderGlobals.imageFormat (`.outf`) enum → file extension, from the
 * enum list Maya itself writes into Render Setup overrides
 * ("GIF:SoftImage:RLA:Tiff:Tiff16:SGI:Alias PIX:Maya IFF:JPEG:EPS:…").
 * 50 (IMF plugin) and 51 (Custom Image Format) defer to `.imfkey`.
 */
const OUTF_EXTENSIONS: ReadonlyMap<number, string> = new Map([
  [0, 'gif'],
  [1, 'si'],
  [2, 'rla'],
  [3, 'tif'],
  [4, 'tif'],
  [5, 'sgi'],
  [6, 'als'],
  [7, 'iff'],
  [8, 'jpg'],
  [9, 'eps'],
  [10, 'iff'],
  [12, 'yuv'],
  [13, 'sgi'],
  [19, 'tga'],
  [20, 'bmp'],
  [21, 'mv'],
  [22, 'mov'],
  [23, 'avi'],
  [30, 'mac'],
  [31, 'psd'],
  [32, 'png'],
  [33, 'pict'],
  [34, 'qtif'],
  [35, 'dds'],
  [36, 'psd'],
  [40, 'exr'],
  [60, 'swf'],
  [61, 'ai'],
  [62, 'svg'],
  [63, 'swft'],
]);

/** Maya's default `.outf` (Maya IFF) when the scene does not set one. */
export const DEFAULT_OUTF = 7;

/**
 * The extension the renderer writes. A plugin key (`.imfkey`) wins; Arnold
 * writes through its driver node (`defaultArnoldDriver.ai_translator`,
 * default exr) whatever `.outf` says.
 */
export function imageFormatName(
  outf: number | undefined,
  imfkey: string | undefined,
  renderer: string,
  arnoldDriver: string | undefined,
): string {
  if (imfkey !== undefined && imfkey !== '') return imfkey;
  if (renderer === 'arnold') return arnoldDriver ?? 'exr';
  return OUTF_EXTENSIONS.get(outf ?? DEFAULT_OUTF) ?? String(outf);
}
