/**
 * The page shell. Scripts are files served by the farm (no inline script, no
 * CDN), htmx is configured through its meta tag, and the CSRF token sits in a
 * meta tag the page script copies into every htmx request.
 */
import { type Html, html } from '../html.js';
import type { Viewer } from '../models.js';

/** htmx settings: no eval, no inline styles (the CSP forbids both), no script tags from swapped markup. */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  // Error answers are swapped too: the server sends them as a notice for the top of the page.
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '[45]..', swap: true, error: true },
  ],
});

export type Section = 'tasks' | 'nodes' | 'users' | 'sign-in';

export interface PageOptions {
  readonly title: string;
  readonly section: Section;
  readonly viewer: Viewer | null;
  readonly body: Html;
  /** Open the live event stream on this page. */
  readonly live?: boolean;
}

function nav(viewer: Viewer, section: Section): Html {
  const item = (href: string, label: string, key: Section) =>
    html`<li><a href="${href}"${section === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="Main">
  <a class="brand" href="/tasks">openfarm</a>
  <ul>
    ${item('/tasks', 'Tasks', 'tasks')}
    ${viewer.isAdmin ? [item('/nodes', 'Render nodes', 'nodes'), item('/users', 'Users', 'users')] : ''}
  </ul>
  <form class="sign-out" method="post" action="/sign-out">
    <input type="hidden" name="_csrf" value="${viewer.csrfToken}">
    <span class="who">Signed in as <strong>${viewer.name}</strong></span>
    <button type="submit">Sign out</button>
  </form>
</nav>`;
}

export function page(options: PageOptions): Html {
  const { viewer } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
${viewer !== null ? html`<meta name="csrf-token" content="${viewer.csrfToken}">` : ''}
<title>${options.title} · openfarm</title>
<link rel="stylesheet" href="/ui/assets/app.css">
<script src="/ui/assets/htmx.min.js" defer></script>
<script src="/ui/assets/app.js" defer></script>
</head>
<body${options.live === true ? html` data-live-events="/ui/events"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header>${viewer !== null ? nav(viewer, options.section) : html`<span class="brand">openfarm</span>`}</header>
<main id="main">
${options.body}
</main>
</body>
</html>
`;
}

export function notice(n: { kind: 'info' | 'error'; text: string } | undefined): Html | '' {
  if (n === undefined) return '';
  return html`<p class="notice ${n.kind}" role="${n.kind === 'error' ? 'alert' : 'status'}">${n.text}</p>`;
}
