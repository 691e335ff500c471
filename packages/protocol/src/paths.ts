/**
 * Local ↔ server path mapping (§3.6, ARCHITECTURE "Storage model").
 *
 * The artist's machine maps each local path to a server path with the
 * reference's rule, so a scene saved on Windows keeps working on Linux render
 * nodes that recreate the same tree under their cache:
 *
 *   D:\proj\a.jpg     → /D/proj/a.jpg     (drive letter becomes a folder, case kept)
 *   \\srv\share\x     → /srv/share/x      (UNC: server and share become folders)
 *   /home/u/x         → /home/u/x         (POSIX: kept)
 *
 * The reference drops the first character of every non-drive path, so POSIX
 * paths lose their leading slash (`home/u/x`); openfarm keeps it: server paths
 * are always absolute and canonical. The reference also deletes every ":" of a
 * drive path; openfarm only removes the drive's (Windows forbids ":" elsewhere,
 * and on POSIX it is a legal file name character worth keeping).
 */
import * as nodePath from 'node:path';
import { findUnprintable, unprintableReason } from './printable.js';

/** Longest server path accepted, in UTF-16 units (Windows' extended limit is 32767; 4096 is Linux's PATH_MAX). */
export const MAX_SERVER_PATH_LENGTH = 4096;
/** Longest segment accepted (NAME_MAX on common file systems). */
export const MAX_SEGMENT_LENGTH = 255;

export class PathMappingError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot map path ${JSON.stringify(path)}: ${reason}`);
    this.name = 'PathMappingError';
  }
}

/** A server path that could escape its storage or confuse a file system. Servers answer BAD_SERVER_PATH (7004). */
export class ServerPathError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`bad server path ${JSON.stringify(path)}: ${reason}`);
    this.name = 'ServerPathError';
  }
}

const DRIVE = /^([A-Za-z]):(.*)$/;

/** Remove "." segments and resolve ".." lexically; a ".." above the root is an error. */
function resolveDots(original: string, segments: readonly string[], keep: number): string[] {
  const out: string[] = [];
  for (const s of segments) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length <= keep) throw new PathMappingError(original, "'..' climbs above the root");
      out.pop();
    } else out.push(s);
  }
  return out;
}

/**
 * Map an absolute local path (Windows drive, UNC, Windows long-path or POSIX)
 * to its server path. Separators may be mixed. Relative paths are refused:
 * they mean nothing on another machine.
 */
export function localToServerPath(local: string): string {
  if (local.includes('\0')) throw new PathMappingError(local, 'contains a NUL byte');
  let p = local.trim().replace(/\\/g, '/');
  if (p === '') throw new PathMappingError(local, 'empty path');

  // Windows long-path prefixes: //?/D:/x and //?/UNC/srv/share/x (also //./).
  const long = /^\/\/[?.]\/(.*)$/.exec(p);
  if (long !== null) {
    const rest = long[1]!;
    p = /^UNC\//i.test(rest) ? `//${rest.slice(4)}` : rest;
  }

  let root: string[];
  let rest: string;
  const drive = DRIVE.exec(p);
  if (drive !== null) {
    const [, letter, tail] = drive;
    if (!tail!.startsWith('/')) {
      throw new PathMappingError(
        local,
        `drive-relative path (write ${letter}:\\… with a backslash after the colon)`,
      );
    }
    root = [letter!];
    rest = tail!;
  } else if (p.startsWith('//')) {
    const parts = p.slice(2).split('/');
    if (parts.length < 2 || parts[0] === '' || parts[1] === '') {
      throw new PathMappingError(local, 'a UNC path needs a server and a share (\\\\server\\share\\…)');
    }
    root = [parts[0]!, parts[1]!];
    rest = parts.slice(2).join('/');
  } else if (p.startsWith('/')) {
    root = [];
    rest = p;
  } else {
    throw new PathMappingError(
      local,
      'relative path; give an absolute path (D:\\…, \\\\server\\share\\… or /…)',
    );
  }
  const segments = resolveDots(local, [...root, ...rest.split('/')], root.length);
  return normalizeServerPath(`/${segments.join('/')}`);
}

/**
 * Check a server path sent by a client and return its canonical form
 * (`/a/b`: leading slash, no trailing slash, `/` for the root). A missing
 * leading slash is added (download paths are relative to the storage root).
 * Refused: `.` and `..` segments (also percent-encoded), empty segments (`a//b`),
 * backslashes, NUL and other control characters, over-long paths or segments.
 */
export function normalizeServerPath(p: string): string {
  const fail = (reason: string): never => {
    throw new ServerPathError(p, reason);
  };
  if (typeof p !== 'string') fail('not a string');
  if (p.length > MAX_SERVER_PATH_LENGTH) fail(`longer than ${MAX_SERVER_PATH_LENGTH} characters`);
  const unprintable = findUnprintable(p);
  if (unprintable !== undefined) fail(unprintableReason(unprintable));
  if (p.includes('\\')) fail('contains a backslash');
  let body = p.startsWith('/') ? p.slice(1) : p;
  if (body.endsWith('/')) body = body.slice(0, -1);
  if (body === '') return '/';
  for (const s of body.split('/')) {
    if (s === '') fail('empty segment');
    if (/^(?:\.|%2e){1,2}$/i.test(s)) fail(`'${s}' segment`);
    if (s.length > MAX_SEGMENT_LENGTH) fail(`segment longer than ${MAX_SEGMENT_LENGTH} characters`);
  }
  return `/${body}`;
}

/** Whether a server path is acceptable (see {@link normalizeServerPath}). */
export function isValidServerPath(p: string): boolean {
  try {
    normalizeServerPath(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a render node keeps the file of a server path: under `rootDir`, never
 * outside it (`/D/proj/a.jpg` → `<rootDir>/D/proj/a.jpg`). The path is checked
 * with {@link normalizeServerPath} first, and the result is checked again
 * after resolution so no input can land outside `rootDir`.
 */
export function serverPathToLocal(
  serverPath: string,
  rootDir: string,
  /** The local path flavour; `path.win32` runs a Windows workstation's rules anywhere (tests). */
  paths: Pick<typeof nodePath, 'resolve' | 'sep'> = nodePath,
): string {
  const { resolve, sep } = paths;
  if (rootDir === '') throw new PathMappingError(rootDir, 'empty root directory');
  const canonical = normalizeServerPath(serverPath);
  const root = resolve(rootDir);
  if (canonical === '/') return root;
  const local = resolve(root, ...canonical.slice(1).split('/'));
  const prefix = root.endsWith(sep) ? root : root + sep;
  if (!local.startsWith(prefix)) throw new ServerPathError(serverPath, `resolves outside ${root}`);
  return local;
}
