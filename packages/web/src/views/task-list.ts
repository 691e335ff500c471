/** The task list: filters, bulk actions, the table and its pages. */
import { type Html, html, queryString } from '../html.js';
import type { TaskListFilters, TaskListView, TaskSummary, Viewer } from '../models.js';
import { formatDuration, formatTime, STATUS_FILTERS, taskStatusText } from '../format.js';
import { notice, page } from './layout.js';

export function filterQuery(f: TaskListFilters, page = f.page): string {
  return queryString({ q: f.q, status: f.status, project: f.project, page: page > 1 ? page : undefined });
}

export function elapsedSec(t: TaskSummary, now = Date.now()): number | null {
  if (t.startTime === null) return null;
  return Math.max(0, ((t.completedDate ?? now) - t.startTime) / 1000);
}

export function progressBar(t: TaskSummary, label: string): Html {
  const pct = t.totalFrames > 0 ? Math.floor((t.doneFrames * 100) / t.totalFrames) : 0;
  return html`<span class="progress"><progress max="${Math.max(t.totalFrames, 1)}" value="${t.doneFrames}" aria-label="${label}">${pct}%</progress> <span class="pct">${pct}%</span></span>`;
}

export function statusBadge(status: number): Html {
  return html`<span class="status s-${status}">${taskStatusText(status)}</span>`;
}

function row(t: TaskSummary): Html {
  const title = t.alias !== '' ? t.alias : t.sceneName;
  return html`<tr data-task-id="${t.id}">
  <td><input type="checkbox" name="id" value="${t.id}" form="bulk" aria-label="Select task ${t.id}"></td>
  <td><a href="/tasks/${t.id}">Task ${t.id}</a></td>
  <td class="scene" title="${title}">${t.sceneName !== '' ? t.sceneName : '—'}</td>
  <td class="project">${t.projectName !== '' ? t.projectName : '—'}</td>
  <td>${statusBadge(t.status)}</td>
  <td>${progressBar(t, `Task ${t.id}: ${t.doneFrames} of ${t.totalFrames} frames done`)}</td>
  <td class="num">${t.doneFrames} / ${t.failedFrames} / ${t.totalFrames}</td>
  <td>${formatTime(t.submitDate)}</td>
  <td>${formatDuration(elapsedSec(t))}</td>
  <td>${t.etaSec === null ? '—' : formatDuration(t.etaSec)}</td>
</tr>`;
}

function pager(v: TaskListView): Html | '' {
  const pages = Math.max(1, Math.ceil(v.total / v.pageSize));
  if (pages <= 1) return '';
  const link = (p: number, label: string, rel: string) =>
    html`<a href="/tasks${filterQuery(v.filters, p)}" rel="${rel}">${label}</a>`;
  return html`<nav class="pager" aria-label="Task pages">
  ${v.page > 1 ? link(v.page - 1, 'Previous page', 'prev') : ''}
  <span>Page ${v.page} of ${pages}</span>
  ${v.page < pages ? link(v.page + 1, 'Next page', 'next') : ''}
</nav>`;
}

function emptyState(v: TaskListView): Html {
  const filtered = v.filters.q !== '' || v.filters.status !== '' || v.filters.project !== '';
  if (filtered)
    return html`<p class="empty">No task matches these filters. <a href="/tasks">Show all tasks</a>.</p>`;
  return html`<div class="empty"><p>No tasks yet. Submit a scene from your machine:</p>
<pre><code>openfarm render SCENE.blend --to ./frames</code></pre>
<p>(the SDK's <code>RayvisionAPI</code> against <code>${v.serverUrl}</code> works too).</p>
${v.hasNodes ? '' : html`<p>There are no render nodes yet either: <code>openfarm up</code> starts local ones.</p>`}</div>`;
}

/** The part of the list that live updates and actions replace. */
export function taskTable(v: TaskListView): Html {
  const first = (v.page - 1) * v.pageSize + 1;
  const last = first + v.tasks.length - 1;
  return html`<section id="tasks-region" aria-labelledby="tasks-h" data-live
  hx-get="/tasks/region${filterQuery(v.filters)}" hx-trigger="live" hx-swap="outerHTML">
<h2 id="tasks-h" class="visually-hidden">Tasks</h2>
${notice(v.notice)}
${
  v.tasks.length === 0
    ? emptyState(v)
    : html`<p class="count">${v.total === 1 ? '1 task' : `Tasks ${first}–${last} of ${v.total}`}</p>
<div class="table-wrap"><table class="tasks">
<thead><tr>
  <th scope="col"><span class="visually-hidden">Selected</span></th>
  <th scope="col">Task</th><th scope="col">Scene</th><th scope="col">Project</th><th scope="col">Status</th>
  <th scope="col">Progress</th><th scope="col">Frames done / failed / total</th><th scope="col">Submitted</th>
  <th scope="col">Elapsed</th><th scope="col">Time left</th>
</tr></thead>
<tbody>
${v.tasks.map(row)}
</tbody></table></div>
${pager(v)}`
}
</section>`;
}

function filters(v: TaskListView): Html {
  const f = v.filters;
  return html`<form class="filters" role="search" method="get" action="/tasks">
  <p><label for="f-q">Search by id or scene</label>
  <input id="f-q" name="q" type="search" value="${f.q}"></p>
  <p><label for="f-status">Status</label>
  <select id="f-status" name="status">
    <option value="">Any status</option>
    ${STATUS_FILTERS.map((s) => html`<option value="${s.value}"${f.status === s.value ? html` selected` : ''}>${s.label}</option>`)}
  </select></p>
  <p><label for="f-project">Project</label>
  <select id="f-project" name="project">
    <option value="">Any project</option>
    ${v.projects.map((p) => html`<option value="${p}"${f.project === p ? html` selected` : ''}>${p}</option>`)}
  </select></p>
  <p><button type="submit">Filter</button></p>
</form>`;
}

function bulkActions(v: TaskListView, viewer: Viewer): Html {
  return html`<form id="bulk" class="actions" method="post" action="/tasks/bulk${filterQuery(v.filters)}"
  hx-post="/tasks/bulk${filterQuery(v.filters)}" hx-target="#tasks-region" hx-swap="outerHTML">
  <input type="hidden" name="_csrf" value="${viewer.csrfToken}">
  <span id="bulk-label">With the selected tasks:</span>
  <button type="submit" name="action" value="stop">Stop</button>
  <button type="submit" name="action" value="start">Start</button>
  <button type="submit" name="action" value="retry">Retry failed frames</button>
  <button type="submit" name="action" value="delete" class="danger" data-confirm="Delete the selected tasks? Their running frames are abandoned.">Delete</button>
</form>`;
}

export function taskListPage(v: TaskListView, viewer: Viewer): Html {
  return page({
    title: 'Tasks',
    section: 'tasks',
    viewer,
    live: true,
    body: html`<h1>Tasks</h1>
${filters(v)}
${bulkActions(v, viewer)}
${taskTable(v)}`,
  });
}
