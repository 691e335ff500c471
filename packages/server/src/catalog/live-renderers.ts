/**
 * What the farm's live render nodes can render: the renderers each enabled
 * node advertised when it registered, for nodes seen within the catalogue
 * window. One SELECT; the catalogue is built from it on each query (a farm
 * has tens to thousands of nodes, not millions).
 *
 * The window is longer than the dashboard's "online" (90 s): nodes poll at
 * least every 30 s, but a node rebooting or having its DCC upgraded, a server
 * restart (no node can poll while it is down) or a network blip leaves gaps
 * of minutes, and an artist submitting then must not be told the farm cannot
 * render Maya. Ten minutes covers those; a node gone longer (switched off for
 * the night, removed) drops out. A farm sets it with `catalogWindowMs` or
 * OPENFARM_CATALOG_WINDOW_SEC.
 */
import type { Kysely } from 'kysely';
import '../scheduler/tables.js';
import type { Database } from '../store/database.js';

/** Default catalogue window: nodes seen within the last ten minutes (see above). */
export const CATALOG_WINDOW_MS = 10 * 60_000;

/** The window from OPENFARM_CATALOG_WINDOW_SEC when it is a positive number, else the default. */
export function catalogWindowFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const sec = Number(env.OPENFARM_CATALOG_WINDOW_SEC);
  return Number.isFinite(sec) && sec > 0 ? sec * 1000 : CATALOG_WINDOW_MS;
}

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
export async function liveNodeRenderers(
  db: Kysely<Database>,
  windowMs = CATALOG_WINDOW_MS,
  now = Date.now(),
): Promise<LiveRenderer[][]> {
  const rows = await db
    .selectFrom('workers')
    .select('renderers')
    .where('disabled', '=', 0)
    .where('last_seen_at', '>=', now - windowMs)
    .execute();
  return rows.map((r) => parseRenderers(r.renderers));
}
