/**
 * Server paths of the manifests, checked with the protocol's
 * normalizeServerPath (no `.`/`..`, empty segments, NUL, control characters or
 * backslashes) and refused with BAD_SERVER_PATH rather than "fixed", so a
 * crafted path can never name a different file than the one the client meant.
 */
import { ApiError, normalizeServerPath, ServerPathError } from '@openfarm/protocol';

/** The canonical form of a server path; `allowRoot` accepts `/` itself (a listing of the whole storage). */
export function normalizeManifestPath(path: string, allowRoot = false): string {
  let canonical: string;
  try {
    canonical = normalizeServerPath(path);
  } catch (e) {
    if (e instanceof ServerPathError) throw ApiError.of('BAD_SERVER_PATH', { detail: e.message });
    throw e;
  }
  if (canonical === '/' && !allowRoot) {
    throw ApiError.of('BAD_SERVER_PATH', {
      detail: `${JSON.stringify(path)} names the storage root, not a file`,
    });
  }
  return canonical;
}
