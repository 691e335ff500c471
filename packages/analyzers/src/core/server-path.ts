/**
 * Local → server path mapping of the reference (`convert_path`): backslashes
 * become `/`; a drive path loses every `:` and gains a leading `/`
 * (`D:\x` → `/D/x`); UNC `\\srv\share` → `/srv/share`; a POSIX path is kept.
 * (The reference drops the first character of a POSIX path — a quirk its
 * transfer engine papers over; openfarm keeps the path rooted.)
 */
export function toServerPath(localPath: string): string {
  const p = localPath.replace(/\\/g, '/');
  if (/^[A-Za-z]:/.test(p)) return `/${p.replace(/:/g, '')}`.replace(/\/{2,}/g, '/');
  if (p.startsWith('//')) return p.slice(1);
  return p;
}

/** The `local` text of an upload entry: the path with forward slashes. */
export function toUploadLocal(localPath: string): string {
  return localPath.replace(/\\/g, '/');
}
