/**
 * A full disk, told apart from every other failure. SQLite says SQLITE_FULL
 * (better-sqlite3's `code`; a WAL write may also fail as SQLITE_IOERR_WRITE
 * with ENOSPC in its message), the file system ENOSPC or EDQUOT, PostgreSQL
 * SQLSTATE 53100 (disk_full). Each answers STORAGE_FULL (7021, HTTP 507)
 * instead of "Internal server error", and marks the farm degraded until a
 * write goes through again (see storage-health.ts).
 */
const FULL_CODES: ReadonlySet<string> = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', '53100']);

export function isStorageFull(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /\b(ENOSPC|SQLITE_FULL)\b|database or disk is full/.test(message))
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
