/**
 * @openfarm/web: the dashboard's pages (server-rendered HTML, htmx, SSE) and
 * static files. The farm's server fills in the models and serves the result;
 * see README.md.
 */
export { type Asset, dashboardAssets } from './assets.js';
export {
  formatAgo,
  formatBytes,
  formatDuration,
  formatTime,
  frameStatusText,
  STATUS_FILTERS,
  taskStatusText,
} from './format.js';
export { escapeHtml, Html, html, queryString } from './html.js';
export type * from './models.js';
export { page, type PageOptions } from './views/layout.js';
export { nodesPage, nodesRegion, usersPage } from './views/nodes.js';
export { errorPage, signInPage } from './views/sign-in.js';
export { taskDetailPage, taskLive } from './views/task-detail.js';
export { filterQuery, taskListPage, taskTable } from './views/task-list.js';
