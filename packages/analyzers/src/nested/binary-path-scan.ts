import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import { AnalyzeError } from '../core/errors.js';
import { COMMON_EXTENSION_KINDS, kindOfExtension } from '../core/extension-kinds.js';
import type { DependencyReader } from './dependency-reader.js';

/**
 * Alembic archives (`.abc`) and Redshift proxies (`.rs`) are binary files the
 * render node stages but does not rewrite (only USD, Arnold, V-Ray,
 * MaterialX, OCIO and XGen files get their absolute paths mapped into the
 * staged tree), so an absolute path of the artist's machine stored inside
 * one (a custom string attribute naming a texture, a proxy's material
 * textures) is opened as written on the node. These readers look for such
 * paths. One that names an existing file on this machine (or a `<UDIM>`
 * set or `####` sequence in an existing folder) is listed as a dependency
 * of the archive, so it is uploaded and staged under its root, where the
 * renderer's own path map (Redshift's override file, Arnold's
 * ARNOLD_PATHMAP) points; the others are warned about. A file this machine
 * holds under an absolute path is not text that merely looks like one, so
 * uploading it on the scan's word is safe — if it is a kind of file a
 * renderer reads ({@link ASSET_EXTENSIONS}): an archive from elsewhere
 * naming `~/.ssh/id_rsa` or a document must not carry it to the farm.
 * Relative names are not looked for (a byte scan cannot tell them from any
 * other text).
 *
 * What is read: the bytes as stored — Alembic keeps string samples and
 * metadata uncompressed, so its strings are seen; for a Redshift proxy only
 * text stored uncompressed is. A file up to {@link WHOLE_SCAN_BYTES} is read
 * whole; a larger one at its first and last {@link EDGE_SCAN_BYTES} (Ogawa
 * writes its headers and metadata at the end and the first samples at the
 * start; the geometry between holds no text worth the time). A path is a
 * run of text that starts as an absolute path — a drive (`D:\`, `D:/`), a
 * UNC server (`\\server\`, `//server/`) or a POSIX root with at least one
 * folder (`/Volumes/…`, `/mnt/…`) — and ends in a file extension, bounded by
 * non-text bytes, quotes or `=`/`;` (Alembic metadata), and is UTF-8.
 */
export const WHOLE_SCAN_BYTES = 32 * 1024 * 1024;
export const EDGE_SCAN_BYTES = 16 * 1024 * 1024;
/** Different paths listed per file; more are counted. */
const MAX_LISTED = 10;
const CHUNK = 4 * 1024 * 1024;
/** Longest path looked for: also how far chunks overlap, so no path is cut in two. */
const MAX_PATH = 1024;

// A segment character: printable ASCII or a UTF-8 byte, but no separator and none of `"*?|`
// (`<` and `>` stay: texture tokens such as `<UDIM>`).
const SEG = '[^\\x00-\\x1f\\x7f"*?|\\\\/]';
const PATH = new RegExp(
  // Start of a text run: nothing printable before it but a quote, `=` or `;`.
  '(?<![^\\x00-\\x20"\'=;])' +
    `(?:[A-Za-z]:[\\\\/]|[\\\\/]{2}${SEG}+[\\\\/]|/${SEG}+/)` +
    `(?:${SEG}|[\\\\/]){0,${MAX_PATH}}?` +
    '\\.[A-Za-z][A-Za-z0-9]{0,7}' +
    // End of the run: a control byte, a space, a quote, `;` or `,`, or the end of the bytes.
    '(?![^\\x00-\\x20"\';,])',
  'g',
);

const utf8 = new TextDecoder('utf-8', { fatal: true });
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Absolute paths found in `bytes` (matched as latin1, returned as UTF-8
 * text) into `found`. A byte loop first cuts the bytes into runs of text
 * (no control byte) and only a run holding a separator and a dot, six bytes
 * or longer, goes to the pattern: most of a binary file is never looked at
 * by it.
 */
export function absolutePathsIn(bytes: Uint8Array, found: Set<string>): void {
  const n = bytes.length;
  let start = 0;
  let separator = false;
  let dot = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? bytes[i]! : 0;
    if (c >= 0x20 && c !== 0x7f) {
      if (c === 0x2f || c === 0x5c) separator = true;
      else if (c === 0x2e) dot = true;
      continue;
    }
    if (separator && dot && i - start >= 6) matchRun(bytes.subarray(start, i), found);
    start = i + 1;
    separator = false;
    dot = false;
  }
}

function matchRun(run: Uint8Array, found: Set<string>): void {
  const text = Buffer.from(run.buffer, run.byteOffset, run.byteLength).toString('latin1');
  PATH.lastIndex = 0;
  for (let m = PATH.exec(text); m !== null; m = PATH.exec(text)) {
    const path = m[0];
    if (ASCII.test(path)) {
      found.add(path);
      continue;
    }
    try {
      found.add(utf8.decode(Buffer.from(path, 'latin1')));
    } catch {
      // Not UTF-8: binary that happens to look like a path's start and end.
    }
  }
}

/** The ranges of a file of `size` bytes that are scanned. */
export function scannedRanges(size: number): Array<readonly [number, number]> {
  if (size <= WHOLE_SCAN_BYTES) return [[0, size]];
  return [
    [0, EDGE_SCAN_BYTES],
    [size - EDGE_SCAN_BYTES, size],
  ];
}

/** Every absolute path the scan finds in `file`, in order of first appearance. */
export function scanAbsolutePaths(file: string): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw new AnalyzeError('IO', 'cannot open', file, { cause });
  }
  const found = new Set<string>();
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(CHUNK + MAX_PATH + 64);
    for (const [start, end] of scannedRanges(size)) {
      // Chunks overlap by the longest path, so a path across a chunk edge is seen whole.
      for (let at = start; at < end; at += CHUNK) {
        const length = Math.min(end - at, CHUNK + MAX_PATH + 64);
        let got = 0;
        while (got < length) {
          const n = readSync(fd, buffer, got, length - got, at + got);
          if (n === 0) break;
          got += n;
        }
        absolutePathsIn(buffer.subarray(0, got), found);
      }
    }
  } finally {
    closeSync(fd);
  }
  return [...found];
}

/**
 * Extensions of the files a renderer reads from inside an archive or proxy:
 * images and textures, colour transforms, caches, geometry, shaders. Only
 * these are uploaded on a scan's word.
 */
export const ASSET_EXTENSIONS: ReadonlySet<string> = new Set([
  ...['exr', 'tx', 'tex', 'tif', 'tiff', 'png', 'jpg', 'jpeg', 'hdr', 'hdri', 'tga', 'bmp', 'dds', 'psd'],
  ...['rat', 'ptx', 'ptex', 'iff', 'sgi', 'rgb', 'jp2', 'webp', 'gif', 'dpx', 'cin', 'ies'],
  ...['ocio', 'cube', 'csp', 'spi1d', 'spi3d', 'clf', 'ctf', '3dl', 'lut'],
  ...['abc', 'usd', 'usda', 'usdc', 'usdz', 'vdb', 'obj', 'fbx', 'ply', 'stl', 'bgeo', 'geo'],
  // Compressed caches by their whole extension: a bare `.gz` or `.sc` may be any archive.
  ...['bgeo.sc', 'bgeo.gz', 'bgeo.lzma', 'geo.gz', 'ass.gz', 'vdb.gz'],
  ...['ass', 'rs', 'vrmesh', 'vrscene', 'ptc', 'mtlx', 'osl', 'oso', 'xgen', 'ifd', 'rib'],
]);

/** Whether the file name's extension, or its two-part one (`x.bgeo.sc`), is an asset's. */
function hasAssetExtension(path: string): boolean {
  const parts = basename(path).toLowerCase().split('.');
  if (parts.length < 2) return false;
  return (
    ASSET_EXTENSIONS.has(parts.at(-1)!) ||
    (parts.length > 2 && ASSET_EXTENSIONS.has(parts.slice(-2).join('.')))
  );
}

/** A file pattern: the collector expands these in the folder (`<UDIM>`, `<UVTILE0>`, `####`, `%04d`). */
const PATTERN = /<udim>|<uvtile[01]>|#|%0?\d*d/i;

/**
 * Whether `path` is absolute on this machine, has an asset's extension and
 * names an existing file here, or a pattern in an existing folder (the
 * collector finds its members).
 */
export function namesFileHere(path: string): boolean {
  if (!isAbsolute(path) || !hasAssetExtension(path)) return false;
  const target = PATTERN.test(path) ? dirname(path) : path;
  try {
    const s = statSync(target, { throwIfNoEntry: false });
    return s !== undefined && (target === path ? s.isFile() : s.isDirectory());
  } catch {
    return false;
  }
}

/** One reader per format: the paths it finds that name files here, and a warning for the others. */
function binaryPathReader(format: string): DependencyReader {
  const what = format === 'Alembic' ? 'Alembic archive' : 'Redshift proxy';
  return {
    format,
    firstOfSequence: true,
    read(file, warn) {
      const here: string[] = [];
      const elsewhere: string[] = [];
      for (const p of scanAbsolutePaths(file)) (namesFileHere(p) ? here : elsewhere).push(p);
      const listed = elsewhere.slice(0, MAX_LISTED);
      const more = elsewhere.length - listed.length;
      if (elsewhere.length > 0) {
        warn?.(
          `absolute path${elsewhere.length > 1 ? 's' : ''} inside this ${what} naming no texture, cache or geometry file on this machine ` +
            "(not uploaded; a render node opens it as written, through the renderer's own path map at best: Redshift's override file or Arnold's ARNOLD_PATHMAP): " +
            listed.join(', ') +
            (more > 0 ? ` and ${more} more` : ''),
        );
      }
      return here.map((path) => ({
        path,
        owner: `string (found by a scan of the ${what})`,
        kind: kindOfExtension(path, COMMON_EXTENSION_KINDS),
      }));
    },
  };
}

export const alembicPathReader = binaryPathReader('Alembic');
export const redshiftProxyPathReader = binaryPathReader('Redshift proxy');
