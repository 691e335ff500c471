/**
 * The local path flavour of the transfer code. On the artist's machine it is
 * node:path, which is already `path.win32` on Windows; passing `path.win32`
 * runs a Windows workstation's rules (drive letters, UNC shares, backslashes)
 * on any machine, which is how the tests check them on Linux. The same shape
 * as the `paths` argument of @openfarm/protocol's serverPathToLocal.
 */
import * as nodePath from 'node:path';

export type LocalPaths = Pick<
  typeof nodePath,
  'basename' | 'dirname' | 'isAbsolute' | 'join' | 'resolve' | 'sep'
>;

/** This machine's rules. */
export const hostPaths: LocalPaths = nodePath;
