/**
 * `ImageFormatData.imtype` codes (R_IMF_IMTYPE_* in DNA_scene_types.h) and
 * the RNA names Blender shows for them (`image_settings.file_format`).
 * Values confirmed against Blender 3.4's own enum; codes only older or newer
 * builds offer (QuickTime, H.264 …) keep their historic names.
 */
const FORMAT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'TARGA'],
  [1, 'IRIS'],
  [4, 'JPEG'],
  [7, 'IRIZ'],
  [14, 'TARGA_RAW'],
  [15, 'AVI_RAW'],
  [16, 'AVI_JPEG'],
  [17, 'PNG'],
  [18, 'AVICODEC'],
  [19, 'QUICKTIME'],
  [20, 'BMP'],
  [21, 'HDR'],
  [22, 'TIFF'],
  [23, 'OPEN_EXR'],
  [24, 'FFMPEG'],
  [25, 'FRAMESERVER'],
  [26, 'CINEON'],
  [27, 'DPX'],
  [28, 'OPEN_EXR_MULTILAYER'],
  [29, 'DDS'],
  [30, 'JPEG2000'],
  [31, 'H264'],
  [32, 'XVID'],
  [33, 'THEORA'],
  [34, 'PSD'],
  [35, 'WEBP'],
]);

/** Formats that write one movie file instead of an image per frame (the reference's tip 46000 list). */
const MOVIE_FORMATS: ReadonlySet<string> = new Set([
  'AVI_JPEG',
  'AVI_RAW',
  'AVICODEC',
  'QUICKTIME',
  'FRAMESERVER',
  'FFMPEG',
  'H264',
  'THEORA',
  'XVID',
]);

export function outputFormatName(imtype: number): string {
  return FORMAT_NAMES.get(imtype) ?? `UNKNOWN_${imtype}`;
}

export function isMovieFormat(name: string): boolean {
  return MOVIE_FORMATS.has(name);
}
