export { CONTENT_SECURITY_POLICY, type DashboardOptions, dashboardPlugin } from './plugin.js';
export { createSignInLink, SIGN_IN_LINK_PATH } from './sign-in-routes.js';
export { SESSION_COOKIE } from './session.js';
export { THUMBNAIL_API_PATH } from './file-routes.js';
