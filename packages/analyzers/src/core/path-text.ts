/**
 * Path text as scenes store it: mixed separators, doubled backslashes,
 * Windows drive paths seen on a POSIX machine, variables.
 */

/** `\` → `/`, runs of `/` collapsed, except a leading `//` (UNC) which is kept. */
export function normalizeSeparators(path: string): string {
  const p = path.replace(/\\/g, '/');
  const unc = p.startsWith('//') && !p.startsWith('///');
  const body = p.replace(/\/{2,}/g, '/');
  return unc ? `/${body}` : body;
}

/** A Windows drive path (`D:/x`, `D:\x`). */
export function isDrivePath(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path);
}

/** A UNC path (`\\srv\share`, `//srv/share`). */
export function isUncPath(path: string): boolean {
  return /^(?:\\\\|\/\/)[^\\/]/.test(path);
}

/** Absolute on any OS: drive, UNC or POSIX-rooted. */
export function isAbsoluteAnyOs(path: string): boolean {
  return isDrivePath(path) || isUncPath(path) || path.startsWith('/') || path.startsWith('\\');
}

/**
 * Whether this machine can open the absolute path: a drive or UNC path only
 * on Windows (on POSIX `D:/x` would silently resolve against the cwd).
 */
export function isLocallyAddressable(path: string): boolean {
  if (isDrivePath(path) || isUncPath(path)) return process.platform === 'win32';
  return true;
}

/**
 * Replace `$NAME` and `${NAME}` for the names given, leaving every other `$…`
 * untouched (frame tokens, unknown variables). A name is matched whole, so
 * `$HIPNAME` is not `$HIP` + `NAME`.
 */
export function expandVariables(text: string, variables: Readonly<Record<string, string>>): string {
  if (!text.includes('$')) return text;
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced, bare) => {
    const name = (braced ?? bare) as string;
    return Object.hasOwn(variables, name) ? variables[name]! : whole;
  });
}

/** The path with forward slashes, as upload.json `local` and task_info paths carry it. */
export function forwardSlashes(path: string): string {
  return path.replace(/\\/g, '/');
}
