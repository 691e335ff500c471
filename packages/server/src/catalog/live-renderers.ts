/**
 * What the farm's live render nodes can render: the renderers each enabled
 * node advertised when it registered, for nodes seen within the window the
 * dashboard also uses for "online". One SELECT; the catalogue is built from
 * it on each query (a farm has tens to thousands of nodes, not millions).
 */
import type { Kysely } from 'kysely';
import '../scheduler/tables.js';
import type { Database } from '../store/database.js';
import { OFFLINE_AFTER_MS } from '../web/node-data.js';

export interface LiveRenderer {
  readonly cgName: string;
  readonly version: string;
}

function parseRenderers(json: string): LiveRenderer[] {
  try {
    const list = JSON.parse(json) as unknown;
    if (!Array.isArray(list)) return [];
    return list
      .filter((r): r is { cgName: string; version: unknown } => typeof r?.cgName === 'string')
      .map((r) => ({ cgName: r.cgName, version: String(r.version ?? '') }));
  } catch {
    return [];
  }
}

/** One entry per live node: the renderers it has. */
export async function liveNodeRenderers(db: Kysely<Database>, now = Date.now()): Promise<LiveRenderer[][]> {
  const rows = await db
    .selectFrom('workers')
    .select('renderers')
    .where('disabled', '=', 0)
    .where('last_seen_at', '>=', now - OFFLINE_AFTER_MS)
    .execute();
  return rows.map((r) => parseRenderers(r.renderers));
}
