/**
 * The dashboard in Debian's Chromium (playwright-core) against a real farm: a
 * render node running Blender renders the sample scene (64×64 frames), and
 * the pages are driven as a user would. One farm, one node and one browser
 * serve the whole file; the tests run in order and build on each other.
 *
 * Without Chromium or Blender the tests skip with a message; under CI=true
 * they fail instead. OPENFARM_SAVE_SCREENSHOTS=1 writes the screenshots the
 * root README shows to docs/.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { createUser, createWorker, type FarmServer, type NewUser } from '@openfarm/server';
import { Agent, blenderAdapter } from '@openfarm/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import {
  CHROMIUM,
  chromiumInstalled,
  launchChromium,
  seriousViolations,
  submitScene,
} from './browser-support.js';
import { createDashboardFarm } from './dashboard-support.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const SAVE_SCREENSHOTS = process.env.OPENFARM_SAVE_SCREENSHOTS === '1';
const WAIT = { timeout: 120_000 };

let missing: string | undefined;
let root: string;
let server: FarmServer;
let url: string;
let sampleDir: string;
let artist: NewUser;
let other: NewUser;
let agent: Agent | undefined;
let agentRun: Promise<void> | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
let taskA: number;
let taskB: number;
let taskC: number;

before(async () => {
  const blender = await blenderAdapter.detect();
  if (!chromiumInstalled()) missing = `Chromium is not installed at ${CHROMIUM}`;
  else if (blender === undefined) missing = 'Blender is not installed';
  if (missing !== undefined) {
    if (process.env.CI === 'true')
      throw new Error(`${missing}: the dashboard's browser tests need it under CI`);
    return;
  }
  root = await mkdtemp(join(tmpdir(), 'openfarm-dashboard-browser-'));
  sampleDir = join(root, 'sample');
  generateSampleScene({ outDir: sampleDir, size: 64, frames: 8 });
  server = await createDashboardFarm(join(root, 'farm'), {
    leaseTtlMs: 5000,
    reapIntervalMs: 200,
    maxPollMs: 1000,
  });
  url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const db = server.farm.store.db;
  artist = await createUser(db, 'artist', { admin: true });
  other = await createUser(db, 'other');
  const node = await createWorker(db, 'node-1');
  agent = await Agent.create({
    server: url,
    token: node.token,
    workDir: join(root, 'node-1'),
    cacheDir: join(root, 'cache'),
    threads: 1,
    renderers: [blender!],
  });
  agentRun = agent.run();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    // Confirmations of destructive actions are accepted; nothing else should ever open a dialog.
    void (d.type() === 'confirm' ? d.accept() : d.dismiss());
  });
});

after(async () => {
  await browser?.close();
  await agent?.stop();
  await agentRun?.catch(() => undefined);
  if (server !== undefined) {
    server.app.server.closeAllConnections();
    await server.close();
  }
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

async function screenshot(name: string): Promise<void> {
  if (SAVE_SCREENSHOTS) await page.screenshot({ path: join(DOCS, name) });
}

async function taskStatus(id: number): Promise<number> {
  const row = await server.farm.store.db
    .selectFrom('tasks')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.status;
}

// In-page expressions are strings: this package's TypeScript has no DOM types.
const LOADED_THUMBNAILS =
  "[...document.querySelectorAll('.frames img')].filter((i) => i.complete && i.naturalWidth > 0).length";

/** Thumbnails of the grid that loaded (natural width > 0). */
function loadedThumbnails(p: Page): Promise<number> {
  return p.evaluate<number>(LOADED_THUMBNAILS);
}

/**
 * Polled from here, not with waitForFunction: that evaluates a string predicate with eval inside the
 * page, which the page's CSP (rightly) refuses.
 */
async function waitForThumbnails(p: Page, n: number): Promise<void> {
  const end = Date.now() + WAIT.timeout;
  while ((await loadedThumbnails(p)) !== n) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${n} loaded thumbnails`);
    await p.waitForTimeout(200);
  }
}

/** Mark the document; a reload (or navigation) would lose the mark. */
async function markDocument(p: Page): Promise<void> {
  await p.evaluate('window.openfarmMark = 42');
}
async function stillSameDocument(p: Page): Promise<boolean> {
  return p.evaluate<boolean>('window.openfarmMark === 42');
}

test('sign in with the access id and key lands on the task list', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  await page.goto(url);
  assert.ok(page.url().endsWith('/sign-in'), page.url());
  assert.deepEqual(await seriousViolations(page), [], 'axe: the sign-in page');
  // By keyboard alone: the skip link first, then the labelled fields, Enter to send.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate<string>('document.activeElement.textContent'), 'Skip to content');
  await page.keyboard.press('Tab');
  assert.ok(
    await page
      .getByLabel('Access ID')
      .evaluate((e) => e === (e.ownerDocument as { activeElement: unknown }).activeElement),
  );
  await page.keyboard.type(artist.accessId);
  await page.keyboard.press('Tab');
  assert.ok(
    await page
      .getByLabel('Access key')
      .evaluate((e) => e === (e.ownerDocument as { activeElement: unknown }).activeElement),
  );
  await page.keyboard.type(artist.accessKey);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/tasks$/);
  await page.getByText('No tasks yet').waitFor();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'openfarm_session');
  assert.ok(session?.httpOnly, 'the session cookie is httpOnly');
  assert.equal(session?.sameSite, 'Strict');
  assert.ok(!(await page.content()).includes(artist.accessKey), 'the access key is not in the page');
});

test('a task page opened while the task renders fills in thumbnails, counts and log lines without a reload', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  taskA = await submitScene(url, artist, sampleDir, root, { frames: '1-4[1]' });
  await page.goto(`${url}/tasks/${taskA}`);
  await markDocument(page);
  // Log lines arrive while a frame renders: the log grows between two looks, with no reload.
  let grew = false;
  let last = 0;
  // The text seen when it grew: the panel follows the running frame, so a later look may
  // already show the next frame's log, still empty.
  let grown = '';
  const end = Date.now() + WAIT.timeout;
  while (!grew && Date.now() < end && (await taskStatus(taskA)) !== TaskStatus.FINISHED) {
    const text = (await page.locator('#log').textContent()) ?? '';
    if (last > 0 && text.length > last) {
      grew = true;
      grown = text;
    }
    last = text.length;
    await page.waitForTimeout(150);
  }
  assert.ok(grew, 'new log lines arrived in the open page');
  assert.match(grown, /Blender/);

  await page.locator('#task-status').getByText('Done', { exact: true }).waitFor(WAIT);
  await waitForThumbnails(page, 4);
  assert.match((await page.locator('#frame-counts').textContent()) ?? '', /^4 done, 0 failed/);
  assert.ok(await stillSameDocument(page), 'all of it arrived without a reload');
  assert.equal(await page.locator('.frames .frame.st-4').count(), 4);
  assert.match((await page.locator('#frames').textContent()) ?? '', /node-1/);
  assert.ok((await page.locator('#outputs a[download]').count()) >= 4, 'the output files are listed');
  const download = await page.request.get(
    `${url}${await page.locator('#outputs a[download]').first().getAttribute('href')}`,
  );
  assert.equal(download.status(), 200);
  assert.deepEqual([...(await download.body()).subarray(1, 4)], [...Buffer.from('PNG')]);
  // The log follows its end until the reader scrolls up (a short box makes this log scroll).
  await page.locator('#log').evaluate((log) => {
    log.style.height = '4em';
  });
  await page.locator('#log').evaluate((log) => {
    log.scrollTop = 0;
  });
  await page.locator('#log.paused').waitFor(WAIT);
  await page.locator('#log').evaluate((log) => {
    log.scrollTop = log.scrollHeight;
  });
  await page.locator('#log:not(.paused)').waitFor(WAIT);
  await page.locator('#log').evaluate((log) => {
    log.style.height = '';
  });
  assert.deepEqual(await seriousViolations(page), [], 'axe: the task detail');
  await screenshot('dashboard-task.png');

  await page.goto(`${url}/tasks`);
  const row = page.locator(`tr[data-task-id="${taskA}"]`);
  await row.getByText('Done', { exact: true }).waitFor();
  assert.match((await row.textContent()) ?? '', /4 \/ 0 \/ 4/);
  assert.match((await row.getByRole('link').textContent()) ?? '', new RegExp(`${taskA}`));
});

test('stop a task and see it stopped without a reload, then retry its failed frames', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  const db = server.farm.store.db;
  taskB = await submitScene(url, artist, sampleDir, root, { frames: '1-6[1]' });
  await page.goto(`${url}/tasks/${taskB}`);
  await markDocument(page);
  await page.locator('.frames .frame.st-4').first().waitFor(WAIT);
  await page.locator('#task-actions').getByRole('button', { name: 'Stop', exact: true }).click();
  await page
    .locator('#task-status')
    .getByText(/^Stopped/)
    .waitFor(WAIT);
  assert.equal(await taskStatus(taskB), TaskStatus.STOPPED);
  await page.locator('.frames .frame.st-3').first().waitFor(WAIT);
  assert.ok(await stillSameDocument(page));

  // Start again: the stopped frames render, with no reload.
  await page.locator('#task-actions').getByRole('button', { name: 'Start', exact: true }).click();
  await page.locator('#task-status').getByText('Done', { exact: true }).waitFor(WAIT);
  await waitForThumbnails(page, 6);

  // A frame that failed (its output judged bad): frame and task as the scheduler leaves them after a
  // final failure, announced as it announces one.
  const done = await db
    .selectFrom('frames')
    .select(['id', 'user_id'])
    .where('task_id', '=', taskB)
    .where('state', '=', FrameStatus.DONE)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('frames')
    .set({ state: FrameStatus.FAILED, last_error: 'renderer exited with code 1' })
    .where('id', '=', done.id)
    .execute();
  await db
    .updateTable('tasks')
    .set({ status: TaskStatus.FINISHED_WITH_FAILURES })
    .where('id', '=', taskB)
    .execute();
  server.farm.events.publish({
    userId: done.user_id,
    type: 'frame',
    taskId: taskB,
    frameId: done.id,
    status: FrameStatus.FAILED,
  });
  await page.locator(`#frame-${done.id}.st-5`).waitFor(WAIT);
  assert.match((await page.locator('#frame-counts').textContent()) ?? '', /1 failed/);
  await page.locator('#task-status').getByText('Done with failures').waitFor(WAIT);

  await page.locator('#task-actions').getByRole('button', { name: 'Retry failed frames' }).click();
  await page.getByText('Sent the failed frames back to the queue of 1 task.').waitFor(WAIT);
  // The node renders it again: done, with its thumbnail, in the open page.
  await page.locator(`#frame-${done.id}.st-4 img`).waitFor(WAIT);
  await page.locator('#task-status').getByText('Done', { exact: true }).waitFor(WAIT);
  await waitForThumbnails(page, 6);
  assert.equal(await loadedThumbnails(page), 6);
  assert.ok(await stillSameDocument(page), 'stop, start and retry all showed without a reload');
  assert.deepEqual(dialogs, [], 'no dialog: stop, retry and start ask no confirmation');
});

test('a scene named like markup and a project named like a script show as text and run nothing', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  const scene = '<img src=x onerror=alert(1)>.blend';
  const project = '<script>alert(1)</script>';
  taskC = await submitScene(url, artist, sampleDir, root, {
    frames: '1-1[1]',
    sceneFileName: scene,
    projectName: project,
  });
  for (const path of ['/tasks', `/tasks/${taskC}`]) {
    await page.goto(`${url}${path}`);
    await page.locator('.scene').getByText(scene, { exact: true }).first().waitFor();
    await page.locator('.project').getByText(project, { exact: true }).first().waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0, `${path}: no image element from the name`);
    assert.equal(
      await page.evaluate<number>(
        "[...document.scripts].filter((s) => s.textContent.includes('alert')).length",
      ),
      0,
      `${path}: no script element from the name`,
    );
  }
  await page.goto(`${url}/tasks?project=${encodeURIComponent(project)}`);
  await page.locator(`tr[data-task-id="${taskC}"]`).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(dialogs, [], 'nothing ran');
});

test('a state-changing request from another origin, cookie and all, is refused', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  await page.goto(`${url}/tasks/${taskC}`);
  const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
  const before = await taskStatus(taskC);
  // Another origin on the same host (same site, so the SameSite=Strict cookie is sent), even holding
  // the page's CSRF token: only the origin check stands between it and the task.
  const attacker: Server = createHttpServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><form method="post" action="${url}/tasks/${taskC}/actions">
<input name="_csrf" value="${token}"><input name="action" value="abandon"></form>
<script>document.forms[0].submit()</script>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  try {
    const port = (attacker.address() as { port: number }).port;
    const refused = page.waitForResponse((r) => r.url().endsWith(`/tasks/${taskC}/actions`));
    await page.goto(`http://127.0.0.1:${port}/`);
    const response = await refused;
    assert.match(
      (await response.request().allHeaders()).cookie ?? '',
      /openfarm_session=/,
      'the cookie was sent',
    );
    assert.equal(response.status(), 403);
    await page.getByText('Refused').waitFor();
  } finally {
    attacker.close();
  }
  assert.equal(await taskStatus(taskC), before, 'the task is untouched');
});

test('a second user sees none of the first user’s tasks, and their addresses answer not found', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  const second = await browser!.newContext();
  try {
    const p = await second.newPage();
    await p.goto(`${url}/sign-in`);
    await p.getByLabel('Access ID').fill(other.accessId);
    await p.getByLabel('Access key').fill(other.accessKey);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText('No tasks yet').waitFor();
    for (const id of [taskA, taskB, taskC])
      assert.equal(await p.locator(`tr[data-task-id="${id}"]`).count(), 0);
    const res = await p.goto(`${url}/tasks/${taskA}`);
    assert.equal(res?.status(), 404);
    await p.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.ok(!(await p.content()).includes('sample.blend'), 'nothing of the task shows');
    const thumb = await p.request.get(`${url}/ui/frames/1/thumbnail`);
    assert.equal(thumb.status(), 404);
    assert.equal((await p.goto(`${url}/nodes`))?.status(), 404, 'render nodes are for admins');
  } finally {
    await second.close();
  }
});

test('the task list and the render nodes page, with no serious accessibility violation', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  await page.goto(`${url}/tasks`);
  await page.locator(`tr[data-task-id="${taskA}"]`).waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'axe: the task list');
  await screenshot('dashboard-tasks.png');
  await page.goto(`${url}/nodes`);
  const row = page.locator('tr[data-node="node-1"]');
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /blender 3\.|Blender 3\./i);
  assert.match((await row.textContent()) ?? '', /Idle|Rendering/);
  assert.deepEqual(await seriousViolations(page), [], 'axe: the render nodes page');
  await screenshot('dashboard-nodes.png');
});

test('sign out', async (t) => {
  if (missing !== undefined) return t.skip(missing);
  await page.goto(`${url}/tasks`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/sign-in$/);
  await page.goto(`${url}/tasks`);
  assert.ok(page.url().endsWith('/sign-in'), 'signed out: the list asks to sign in again');
});
