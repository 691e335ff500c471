/**
 * Every endpoint, keyed by name: the server registers one handler per entry
 * (current path + legacy paths) and the SDK builds one operator method per entry.
 */
import type { EndpointDef } from './define.js';
import { ENV_ENDPOINTS } from './env.js';
import { OPENFARM_ENDPOINTS } from './openfarm.js';
import { QUERY_ENDPOINTS } from './query.js';
import { TAG_ENDPOINTS } from './tag.js';
import { TASK_ENDPOINTS } from './task.js';
import { TRANSMIT_ENDPOINTS } from './transmit.js';
import { USER_ENDPOINTS } from './user.js';

export const ENDPOINTS = {
  ...USER_ENDPOINTS,
  ...TASK_ENDPOINTS,
  ...QUERY_ENDPOINTS,
  ...TAG_ENDPOINTS,
  ...ENV_ENDPOINTS,
  ...TRANSMIT_ENDPOINTS,
  ...OPENFARM_ENDPOINTS,
} as const;

export type EndpointName = keyof typeof ENDPOINTS;
export type Endpoints = typeof ENDPOINTS;

export const ENDPOINT_LIST: readonly EndpointDef[] = Object.values(ENDPOINTS);

const BY_PATH: ReadonlyMap<string, EndpointDef> = (() => {
  const m = new Map<string, EndpointDef>();
  for (const e of ENDPOINT_LIST) {
    for (const p of [e.path, ...e.legacyPaths]) {
      const seen = m.get(p);
      if (seen !== undefined) throw new Error(`path ${p} is claimed by both ${seen.name} and ${e.name}`);
      m.set(p, e);
    }
  }
  return m;
})();

/** The endpoint served at a path, current or legacy. A trailing slash or query string is ignored. */
export function endpointByPath(path: string): EndpointDef | undefined {
  const q = path.indexOf('?');
  let p = q === -1 ? path : path.slice(0, q);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return BY_PATH.get(p);
}
