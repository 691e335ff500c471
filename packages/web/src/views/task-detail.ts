/**
 * A task's page: summary, actions, child tasks, the frame grid with
 * thumbnails, output files and the live log of a frame.
 */
import { type Html, html, queryString } from '../html.js';
import type { FrameView, TaskDetailView, TaskSummary, Viewer } from '../models.js';
import { formatBytes, formatDuration, formatTime, frameStatusText } from '../format.js';
import { notice, page } from './layout.js';
import { elapsedSec, progressBar, statusBadge } from './task-list.js';

function summary(t: TaskSummary): Html {
  return html`<dl class="summary">
  <div><dt>Status</dt><dd id="task-status">${statusBadge(t.status)}</dd></div>
  <div><dt>Scene</dt><dd class="scene">${t.sceneName !== '' ? t.sceneName : '—'}</dd></div>
  <div><dt>Project</dt><dd class="project">${t.projectName !== '' ? t.projectName : '—'}</dd></div>
  <div><dt>Frames</dt><dd id="frame-counts">${t.doneFrames} done, ${t.failedFrames} failed, ${t.runningFrames} rendering, ${t.waitingFrames} waiting, ${t.stoppedFrames} stopped, ${t.totalFrames} in all</dd></div>
  <div><dt>Progress</dt><dd>${progressBar(t, `${t.doneFrames} of ${t.totalFrames} frames done`)}</dd></div>
  <div><dt>Submitted</dt><dd>${formatTime(t.submitDate)}</dd></div>
  <div><dt>Elapsed</dt><dd>${formatDuration(elapsedSec(t))}</dd></div>
  <div><dt>Time left</dt><dd>${t.etaSec === null ? '—' : formatDuration(t.etaSec)}</dd></div>
  <div><dt>Priority</dt><dd>${t.priority >= 60 ? 'High' : 'Normal'} (${t.priority})</dd></div>
  <div><dt>Owner</dt><dd>${t.userName}</dd></div>
</dl>`;
}

function actions(t: TaskSummary, viewer: Viewer): Html {
  return html`<form id="task-actions" class="actions" method="post" action="/tasks/${t.id}/actions"
  hx-post="/tasks/${t.id}/actions" hx-target="#task-live" hx-swap="outerHTML" aria-label="Task actions">
  <input type="hidden" name="_csrf" value="${viewer.csrfToken}">
  <button type="submit" name="action" value="stop">Stop</button>
  <button type="submit" name="action" value="start">Start</button>
  <button type="submit" name="action" value="retry">Retry failed frames</button>
  <button type="submit" name="action" value="full-speed">Full speed</button>
  <button type="submit" name="action" value="abandon" class="danger" data-confirm="Abandon task ${t.id}? Its waiting and running frames stop for good.">Abandon</button>
  <button type="submit" name="action" value="delete" class="danger" data-confirm="Delete task ${t.id}? It moves to the recycle bin.">Delete</button>
  <span class="priority"><label for="priority">Priority</label>
  <select id="priority" name="priority">
    <option value="50"${t.priority < 60 ? html` selected` : ''}>Normal</option>
    <option value="60"${t.priority >= 60 ? html` selected` : ''}>High</option>
  </select>
  <button type="submit" name="action" value="priority">Change priority</button></span>
</form>`;
}

function frameCell(f: FrameView, taskId: number): Html {
  const word = frameStatusText(f.state);
  const label = `Frame ${f.frameIndex}`;
  return html`<li class="frame st-${f.state}" id="frame-${f.id}">
  <div class="thumb">${
    f.hasThumbnail
      ? html`<a href="/ui/frames/${f.id}/thumbnail" target="_blank" rel="noopener" title="Open ${label} full size"><img src="/ui/frames/${f.id}/thumbnail" alt="${label}, ${word.toLowerCase()}" loading="lazy"></a>`
      : html`<span class="no-thumb" aria-hidden="true"></span>`
  }</div>
  <div class="meta">
    <label class="pick"><input type="checkbox" name="frame" value="${f.id}" form="rerender"> ${label}</label>
    <span class="fstate">${word}${f.state === 2 && f.progress > 0 ? ` ${Math.round(f.progress * 100)}%` : ''}</span>
    <span>${formatDuration(f.renderSec)}</span>
    <span>${f.attempts === 1 ? '1 attempt' : `${f.attempts} attempts`}</span>
    <span class="node">${f.node ?? '—'}</span>
    <a href="/tasks/${taskId}${queryString({ frame: f.id })}#log-panel">Log<span class="visually-hidden"> of ${label}</span></a>
    ${f.error !== null && f.state !== 4 ? html`<span class="ferror" title="${f.error}">${f.error.slice(0, 80)}</span>` : ''}
  </div>
</li>`;
}

function framePager(v: TaskDetailView): Html | '' {
  const pages = Math.max(1, Math.ceil(v.frameTotal / v.framePageSize));
  if (pages <= 1) return '';
  const link = (p: number, label: string) =>
    html`<a href="/tasks/${v.task.id}${queryString({ fpage: p })}#frames">${label}</a>`;
  return html`<nav class="pager" aria-label="Frame pages">
  ${v.framePage > 1 ? link(v.framePage - 1, 'Previous frames') : ''}
  <span>Frames page ${v.framePage} of ${pages}</span>
  ${v.framePage < pages ? link(v.framePage + 1, 'Next frames') : ''}
</nav>`;
}

function outputs(v: TaskDetailView): Html {
  if (v.outputs.length === 0)
    return html`<p class="empty">No output files yet; they appear here as frames finish.</p>`;
  return html`<ul class="outputs">
${v.outputs.map(
  (o) =>
    html`<li><a href="/ui/tasks/${v.task.id}/outputs${o.path.split('/').map(encodeURIComponent).join('/')}" download>${o.path.slice(1)}</a> <span class="size">${formatBytes(o.size)}</span></li>`,
)}
</ul>${v.outputsTruncated ? html`<p class="hint">Only the first ${v.outputs.length} files are listed; <code>openfarm download</code> fetches all of them.</p>` : ''}`;
}

function children(v: TaskDetailView): Html | '' {
  if (v.children.length === 0) return '';
  return html`<section aria-labelledby="children-h"><h2 id="children-h">Layers (child tasks)</h2>
<table class="tasks"><thead><tr><th scope="col">Task</th><th scope="col">Layer</th><th scope="col">Status</th><th scope="col">Frames done / failed / total</th></tr></thead>
<tbody>${v.children.map(
    (c) =>
      html`<tr><td><a href="/tasks/${c.id}">Task ${c.id}</a></td><td>${c.layerName !== '' ? c.layerName : '—'}</td><td>${statusBadge(c.status)}</td><td class="num">${c.doneFrames} / ${c.failedFrames} / ${c.totalFrames}</td></tr>`,
  )}</tbody></table></section>`;
}

/** The live part of the page: everything but the log, replaced on changes. */
export function taskLive(v: TaskDetailView, viewer: Viewer, query: string): Html {
  const t = v.task;
  return html`<div id="task-live" data-live hx-get="/tasks/${t.id}/region${query}" hx-trigger="live" hx-swap="outerHTML"
  data-task-status="${t.status}" data-log-frame="${v.logFrame?.id ?? ''}" data-log-label="${v.logFrame === null ? '' : `frame ${v.logFrame.frameIndex}`}">
${notice(v.notice)}
${summary(t)}
${actions(t, viewer)}
${children(v)}
<section id="frames" aria-labelledby="frames-h">
  <h2 id="frames-h">Frames</h2>
  ${
    v.frames.length === 0
      ? html`<p class="empty">This task has no frames yet (it may still be waiting to be submitted).</p>`
      : html`<form id="rerender" class="actions" method="post" action="/tasks/${t.id}/actions"
  hx-post="/tasks/${t.id}/actions" hx-target="#task-live" hx-swap="outerHTML">
  <input type="hidden" name="_csrf" value="${viewer.csrfToken}">
  <button type="submit" name="action" value="rerender" data-confirm="Render the chosen frames again?">Re-render chosen frames</button>
</form>
<ol class="frames">${v.frames.map((f) => frameCell(f, t.id))}</ol>
${framePager(v)}`
  }
</section>
<section id="outputs" aria-labelledby="outputs-h"><h2 id="outputs-h">Output files</h2>${outputs(v)}</section>
</div>`;
}

function logPanel(v: TaskDetailView, chosen: boolean): Html {
  const f = v.logFrame;
  return html`<section id="log-panel" aria-labelledby="log-h">
  <h2 id="log-h">Log of <span id="log-frame">${f !== null ? `frame ${f.frameIndex}` : 'the frame rendering now'}</span></h2>
  ${
    f === null
      ? html`<p class="empty" id="log-empty">No frame has rendered yet; the log of the first one to start shows here.</p>`
      : ''
  }
  <pre id="log" tabindex="0" aria-label="Render log" data-log-src="${f !== null ? `/ui/frames/${f.id}/log` : ''}" data-auto="${chosen ? '0' : '1'}"></pre>
  <p class="hint">New lines arrive while the frame renders. Scroll up to pause following; scroll to the end to follow again.</p>
</section>`;
}

export function taskDetailPage(
  v: TaskDetailView,
  viewer: Viewer,
  options: { query: string; chosenFrame: boolean },
): Html {
  const t = v.task;
  const name = t.sceneName !== '' ? t.sceneName : t.alias;
  return page({
    title: `Task ${t.id}`,
    section: 'tasks',
    viewer,
    live: true,
    body: html`<p class="crumbs"><a href="/tasks">Tasks</a> › Task ${t.id}</p>
<h1>Task ${t.id}${name !== '' ? html`: <span class="scene">${name}</span>` : ''}</h1>
${taskLive(v, viewer, options.query)}
${logPanel(v, options.chosenFrame)}`,
  });
}
