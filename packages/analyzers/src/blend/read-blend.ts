import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { AnalyzeError } from '../core/errors.js';
import { BlendFile } from './blend-file.js';
import type { BlendInfo } from './blend-info.js';
import { readExternalFiles } from './external-files.js';
import { readImages, readLibraries } from './images-and-libraries.js';
import type { BlendLimits } from './limits.js';
import { readActiveScene, readCameraNames, readScenes } from './scenes.js';

export interface ReadBlendOptions {
  /** The file's name on disk; names Blender's `blendcache_<name>` point-cache folder. */
  fileName?: string;
  limits?: Partial<BlendLimits>;
}

/** "2.78", "3.4", "5.2" from the header's major × 100 + minor. */
export function blenderVersionText(fileVersion: number): string {
  return `${Math.floor(fileVersion / 100)}.${fileVersion % 100}`;
}

/** Reads everything the farm needs from the bytes of a .blend (plain, gzip or zstd). */
export function readBlend(bytes: Uint8Array, options: ReadBlendOptions = {}): BlendInfo {
  const file = BlendFile.parse(bytes, options.limits);
  const glob = file.instancesOf('FileGlobal').next().value;
  const savedAs = glob?.string('filepath', 'filename');
  const nameOnDisk = options.fileName ?? (savedAs ? basename(savedAs.replace(/\\/g, '/')) : undefined);
  const stem = nameOnDisk ? basename(nameOnDisk, extname(nameOnDisk)) : undefined;
  const images = readImages(file);
  const libraries = readLibraries(file);
  const info: BlendInfo = {
    version: blenderVersionText(file.header.version),
    fileVersion: file.header.version,
    compression: file.compression,
    headerFormat: file.header.fileFormatVersion === 0 ? 'legacy' : '5.x',
    pointerSize: file.header.pointerSize,
    littleEndian: file.header.littleEndian,
    scenes: readScenes(file),
    cameras: readCameraNames(file),
    images,
    libraries,
    externalFiles: readExternalFiles(file, images, libraries, stem),
  };
  const subversion = glob?.number('subversion');
  if (subversion !== undefined) info.subversion = subversion;
  if (savedAs) info.savedAs = savedAs;
  const active = readActiveScene(file, glob);
  if (active !== undefined) info.activeScene = active;
  return info;
}

/** Reads a .blend from disk. */
export async function readBlendFile(
  path: string,
  options: Omit<ReadBlendOptions, 'fileName'> = {},
): Promise<BlendInfo> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AnalyzeError(code === 'ENOENT' ? 'CG_FILE_NOT_FOUND' : 'IO', 'cannot read .blend file', path, {
      cause: e,
    });
  }
  return readBlend(bytes, { ...options, fileName: basename(path) });
}
