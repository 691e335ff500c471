/**
 * The dashboard's static files: its stylesheet and page script, and htmx from
 * the htmx.org package. All are read once and served by the farm itself (no
 * CDN, nothing fetched at run time).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** Strong validator: the SHA-256 of the body. */
  readonly etag: string;
}

function asset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
}

let loaded: ReadonlyMap<string, Asset> | undefined;

/** The assets by file name (`app.css`, `app.js`, `htmx.min.js`). */
export function dashboardAssets(): ReadonlyMap<string, Asset> {
  if (loaded === undefined) {
    // assets/ sits beside src/ and dist/, so the same relative URL works from either.
    const own = (name: string) => readFileSync(new URL(`../assets/${name}`, import.meta.url));
    const htmx = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
    loaded = new Map([
      ['app.css', asset(own('app.css'), 'text/css; charset=utf-8')],
      ['app.js', asset(own('app.js'), 'text/javascript; charset=utf-8')],
      ['htmx.min.js', asset(readFileSync(htmx), 'text/javascript; charset=utf-8')],
    ]);
  }
  return loaded;
}
