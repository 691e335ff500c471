/** Render nodes and users: the admin's pages. */
import { type Html, html } from '../html.js';
import type { NodeView, UserView, Viewer } from '../models.js';
import { formatAgo } from '../format.js';
import { notice, page } from './layout.js';

function nodeState(n: NodeView): string {
  if (n.disabled) return 'Disabled';
  if (!n.online) return 'Offline';
  return n.rendering.length > 0 ? 'Rendering' : 'Idle';
}

function nodeRow(n: NodeView, viewer: Viewer): Html {
  const state = nodeState(n);
  return html`<tr data-node="${n.name}">
  <th scope="row">${n.name}</th>
  <td><span class="node-state ns-${state.toLowerCase()}">${state}</span></td>
  <td>${
    n.rendering.length === 0
      ? '—'
      : n.rendering.map(
          (r) =>
            html`<a href="/tasks/${r.taskId}?frame=${r.frameId}#log-panel">task ${r.taskId}, frame ${r.frameIndex}</a> `,
        )
  }</td>
  <td>${n.os}, ${n.cores} cores, ${Math.round(n.ramMb / 1024)} GiB RAM${n.gpus > 0 ? `, ${n.gpus} GPUs` : ''}, ${n.slots} ${n.slots === 1 ? 'slot' : 'slots'}</td>
  <td>${n.renderers.length === 0 ? '—' : n.renderers.map((r) => `${r.cgName} ${r.version}`).join(', ')}</td>
  <td>${formatAgo(n.lastSeenAt)}</td>
  <td><form method="post" action="/nodes/${encodeURIComponent(n.name)}/${n.disabled ? 'enable' : 'disable'}"
    hx-post="/nodes/${encodeURIComponent(n.name)}/${n.disabled ? 'enable' : 'disable'}" hx-target="#nodes-region" hx-swap="outerHTML">
    <input type="hidden" name="_csrf" value="${viewer.csrfToken}">
    <button type="submit"${n.disabled ? '' : html` data-confirm="Disable ${n.name}? It takes no new frames until enabled again."`}>${n.disabled ? 'Enable' : 'Disable'}<span class="visually-hidden"> ${n.name}</span></button>
  </form></td>
</tr>`;
}

export function nodesRegion(
  nodes: readonly NodeView[],
  viewer: Viewer,
  serverUrl: string,
  note?: { kind: 'info' | 'error'; text: string },
): Html {
  return html`<section id="nodes-region" data-live hx-get="/nodes/region" hx-trigger="live, every 60s" hx-swap="outerHTML" aria-labelledby="nodes-h">
<h2 id="nodes-h" class="visually-hidden">Render nodes</h2>
${notice(note)}
${
  nodes.length === 0
    ? html`<div class="empty"><p>No render nodes. Add one and start it on a machine with Blender (or another renderer):</p>
<pre><code>openfarm workers add NODE-NAME
openfarm worker --server ${serverUrl} --token-file TOKEN-FILE</code></pre>
<p><code>openfarm up</code> starts local render nodes by itself.</p></div>`
    : html`<div class="table-wrap"><table class="nodes">
<thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Rendering</th><th scope="col">Capabilities</th>
<th scope="col">Renderers</th><th scope="col">Last contact</th><th scope="col">Action</th></tr></thead>
<tbody>${nodes.map((n) => nodeRow(n, viewer))}</tbody></table></div>`
}
</section>`;
}

export function nodesPage(nodes: readonly NodeView[], viewer: Viewer, serverUrl: string): Html {
  return page({
    title: 'Render nodes',
    section: 'nodes',
    viewer,
    live: true,
    body: html`<h1>Render nodes</h1>
${nodesRegion(nodes, viewer, serverUrl)}`,
  });
}

export function usersPage(users: readonly UserView[], viewer: Viewer): Html {
  return page({
    title: 'Users',
    section: 'users',
    viewer,
    body: html`<h1>Users</h1>
<div class="table-wrap"><table class="users">
<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Main account</th></tr></thead>
<tbody>${users.map(
      (u) =>
        html`<tr><td>${u.id}</td><th scope="row">${u.name}</th><td>${u.isAdmin ? 'Admin' : 'User'}</td><td>${u.disabled ? 'Disabled' : 'Active'}</td><td>${u.mainUserName ?? '—'}</td></tr>`,
    )}</tbody></table></div>
<p class="hint">Accounts are managed with <code>openfarm users add | rotate-key | disable | enable</code>; access keys are never shown here.</p>`,
  });
}
