/**
 * The render-node API, one table for both ends: the server registers these
 * routes, the worker calls them. Every call carries the node's own token
 * (`Authorization: Bearer …`, from `openfarm workers add`), never a user's key.
 */
export const NODE_PATHS = {
  /** POST capabilities → `{name, disabled}`. */
  register: '/api/openfarm/workers/register',
  /** POST `{running, freeSlots, waitMs}` → `{leases, cancel}`: the long poll, also the heartbeat. */
  poll: '/api/openfarm/workers/poll',
  progress: '/api/openfarm/workers/frames/progress',
  log: '/api/openfarm/workers/frames/log',
  complete: '/api/openfarm/workers/frames/complete',
  fail: '/api/openfarm/workers/frames/fail',
  /** PUT, raw bytes; query `frameId, epoch, name, sha256, size`. */
  output: '/api/openfarm/workers/frames/output',
  /** PUT, JPEG bytes; query `frameId, epoch, sha256, size`. */
  thumbnail: '/api/openfarm/workers/frames/thumbnail',
  /** GET `/api/openfarm/workers/blobs/<sha256>/<size>`: an input file's bytes. */
  blob: '/api/openfarm/workers/blobs',
} as const;

// The bodies of these routes, one schema each for both ends.
export * from './node-wire.js';
