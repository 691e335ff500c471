/** The sign-in page and the error page. */
import { type Html, html } from '../html.js';
import type { Viewer } from '../models.js';
import { page } from './layout.js';

export function signInPage(
  options: { error?: string | undefined; accessId?: string | undefined } = {},
): Html {
  return page({
    title: 'Sign in',
    section: 'sign-in',
    viewer: null,
    body: html`<section class="sign-in" aria-labelledby="sign-in-h">
  <h1 id="sign-in-h">Sign in to openfarm</h1>
  ${options.error !== undefined ? html`<p class="notice error" role="alert" id="sign-in-error">${options.error}</p>` : ''}
  <form method="post" action="/sign-in">
    <p><label for="access-id">Access ID</label>
    <input id="access-id" name="accessId" autocomplete="username" required spellcheck="false" value="${options.accessId ?? ''}"></p>
    <p><label for="access-key">Access key</label>
    <input id="access-key" name="accessKey" type="password" autocomplete="current-password" required spellcheck="false"></p>
    <p><button type="submit">Sign in</button></p>
  </form>
  <p class="hint">Your access id and key are the ones the SDK and the <code>openfarm</code> command use
  (<code>openfarm users add NAME</code> prints them). <code>openfarm up</code> also prints a one-time sign-in link.</p>
</section>`,
  });
}

export function errorPage(options: {
  viewer: Viewer | null;
  status: number;
  title: string;
  message: string;
  next?: Html | undefined;
}): Html {
  return page({
    title: options.title,
    section: 'tasks',
    viewer: options.viewer,
    body: html`<section class="error-page" aria-labelledby="error-h">
  <h1 id="error-h">${options.title}</h1>
  <p>${options.message}</p>
  ${options.next ?? html`<p><a href="/tasks">Back to your tasks</a></p>`}
</section>`,
  });
}
