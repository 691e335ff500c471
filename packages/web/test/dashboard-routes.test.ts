/**
 * The dashboard's routes through fastify's inject (no browser): sign-in and
 * the cookie, sessions ending, escaping, CSRF and origin checks, tenant
 * isolation, and the thumbnail URLs `loadingFrameThumbnail` answers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import {
  CONTENT_SECURITY_POLICY,
  createSignInLink,
  createUser,
  createWorker,
  type FarmServer,
  LocalBlobStore,
  type NewUser,
  rotateAccessKey,
  setUserDisabled,
} from '@openfarm/server';
import { createDashboardFarm, seedTask, sessionCookieOf } from './dashboard-support.js';

const HOST = 'farm.test:7200';
const ORIGIN = `http://${HOST}`;
let root: string;
let server: FarmServer;
let alice: NewUser;
let bob: NewUser;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-dashboard-routes-'));
  server = await createDashboardFarm(join(root, 'farm'), {}, { sessionRecheckMs: 200 });
  const db = server.farm.store.db;
  alice = await createUser(db, 'alice');
  bob = await createUser(db, 'bob');
});
after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function signIn(user: NewUser): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ accessId: user.accessId, accessKey: user.accessKey }).toString(),
  });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/tasks');
  return sessionCookieOf(res.headers['set-cookie']);
}

function get(url: string, cookie?: string) {
  return server.app.inject({ method: 'GET', url, headers: { host: HOST, ...(cookie ? { cookie } : {}) } });
}

function csrfOf(page: string): string {
  const m = /<meta name="csrf-token" content="([^"]+)">/.exec(page);
  assert.ok(m, 'the page carries a CSRF token');
  return m[1]!;
}

function post(
  url: string,
  cookie: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return server.app.inject({
    method: 'POST',
    url,
    headers: { host: HOST, cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}

describe('sign-in', () => {
  test('the sign-in page has labelled fields, a CSP without inline scripts, and / leads to it', async () => {
    const home = await get('/');
    assert.equal(home.statusCode, 303);
    assert.equal(home.headers.location, '/sign-in');
    const page = await get('/sign-in');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="access-id">Access ID<\/label>/);
    assert.match(page.body, /<label for="access-key">Access key<\/label>/);
    assert.match(page.body, /<button type="submit">Sign in<\/button>/);
    const csp = String(page.headers['content-security-policy']);
    assert.equal(csp, CONTENT_SECURITY_POLICY);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(page.body, /<script>|\son[a-z]+=/i, 'no inline script or handler');
  });

  test('a wrong key is refused without saying whether the id exists', async () => {
    const form = (accessId: string) =>
      server.app.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ accessId, accessKey: 'wrong' }).toString(),
      });
    const known = await form(alice.accessId);
    const unknown = await form('AKnobody');
    assert.equal(known.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(known.headers['set-cookie'], undefined);
    assert.match(known.body, /do not match an account/);
    assert.match(unknown.body, /do not match an account/);
  });

  test('the cookie is httpOnly and SameSite=Strict, and no page shows the access key', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ accessId: alice.accessId, accessKey: alice.accessKey }).toString(),
    });
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.ok(!cookie.includes(alice.accessKey));
    const session = sessionCookieOf(res.headers['set-cookie']);
    for (const url of ['/tasks', '/tasks/region']) {
      const page = await get(url, session);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes(alice.accessKey), `${url} must not contain the access key`);
    }
  });

  test('a one-time link signs in once', async () => {
    const link = await createSignInLink(server.farm.store.db, alice.userId, ORIGIN);
    const url = link.slice(ORIGIN.length);
    const first = await get(url);
    assert.equal(first.statusCode, 303);
    const cookie = sessionCookieOf(first.headers['set-cookie']);
    assert.equal((await get('/tasks', cookie)).statusCode, 200);
    const again = await get(url);
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /used already or has expired/);
    const forged = await get(url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    assert.equal(forged.statusCode, 400);
  });

  test('a one-time link used twice at once signs in once', async () => {
    const link = await createSignInLink(server.farm.store.db, alice.userId, ORIGIN);
    const url = link.slice(ORIGIN.length);
    const answers = await Promise.all([get(url), get(url), get(url)]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [303, 400, 400]);
    assert.equal(answers.filter((a) => a.headers['set-cookie'] !== undefined).length, 1, 'one session');
  });
});

describe('sessions end', () => {
  test('on sign-out, the old cookie no longer works', async () => {
    const cookie = await signIn(alice);
    const page = await get('/tasks', cookie);
    const out = await post('/sign-out', cookie, { _csrf: csrfOf(page.body) }, { origin: ORIGIN });
    assert.equal(out.statusCode, 303);
    assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
    const after = await get('/tasks', cookie);
    assert.equal(after.statusCode, 303);
    assert.equal(after.headers.location, '/sign-in');
  });

  test('when the user is disabled, and when the key is rotated', async () => {
    const db = server.farm.store.db;
    const carol = await createUser(db, 'carol');
    const cookie = await signIn(carol);
    assert.equal((await get('/tasks', cookie)).statusCode, 200);
    await setUserDisabled(db, 'carol', true);
    assert.equal((await get('/tasks', cookie)).headers.location, '/sign-in');
    await setUserDisabled(db, 'carol', false);
    assert.equal((await get('/tasks', cookie)).statusCode, 200, 'enabled again, the session is valid again');
    const rotated = await rotateAccessKey(db, 'carol');
    assert.equal((await get('/tasks', cookie)).headers.location, '/sign-in');
    const htmx = await server.app.inject({
      method: 'GET',
      url: '/tasks/region',
      headers: { host: HOST, cookie, 'hx-request': 'true' },
    });
    assert.equal(htmx.statusCode, 401);
    assert.equal(htmx.headers['hx-redirect'], '/sign-in');
    assert.equal((await get('/tasks', await signIn({ ...carol, ...rotated }))).statusCode, 200);
  });
});

describe('pages', () => {
  test('user-controlled strings are escaped everywhere they show', async () => {
    const db = server.farm.store.db;
    const scene = '<img src=x onerror=alert(1)>.blend';
    const project = '<script>alert(1)</script>';
    const id = await seedTask(db, alice.userId, {
      scene,
      project,
      frames: [FrameStatus.DONE, FrameStatus.FAILED],
    });
    await db.updateTable('frames').set({ last_error: '<b>boom</b>' }).where('task_id', '=', id).execute();
    const cookie = await signIn(alice);
    for (const url of [
      '/tasks',
      `/tasks/${id}`,
      `/tasks/${id}/region`,
      `/tasks?project=${encodeURIComponent(project)}`,
    ]) {
      const page = await get(url, cookie);
      assert.equal(page.statusCode, 200, url);
      assert.ok(!page.body.includes('<img src=x'), `${url}: the scene name is not markup`);
      assert.ok(!page.body.includes('<script>alert'), `${url}: the project name is not markup`);
      assert.ok(!page.body.includes('<b>boom'), `${url}: the frame error is not markup`);
    }
    const list = await get('/tasks', cookie);
    assert.ok(list.body.includes('&lt;img src=x onerror=alert(1)&gt;.blend'));
    assert.ok(list.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    // A search string is reflected into the filter field, escaped too.
    const search = await get(`/tasks?q=${encodeURIComponent('"><script>alert(2)</script>')}`, cookie);
    assert.ok(!search.body.includes('<script>alert(2)'));
  });

  test('the list is filtered, searched and paged', async () => {
    const db = server.farm.store.db;
    const dave = await createUser(db, 'dave');
    for (let i = 0; i < 55; i++)
      await seedTask(db, dave.userId, { scene: `shot_${i}.blend`, project: i % 2 ? 'odd' : 'even' });
    const done = await seedTask(db, dave.userId, {
      scene: 'final.blend',
      status: TaskStatus.FINISHED,
      frames: [4],
    });
    const cookie = await signIn(dave);
    const first = await get('/tasks', cookie);
    assert.equal((first.body.match(/<tr data-task-id=/g) ?? []).length, 50);
    assert.match(first.body, /Tasks 1–50 of 56/);
    const second = await get('/tasks?page=2', cookie);
    assert.equal((second.body.match(/<tr data-task-id=/g) ?? []).length, 6);
    const odd = await get('/tasks?project=odd', cookie);
    assert.equal((odd.body.match(/<tr data-task-id=/g) ?? []).length, 27);
    const finished = await get('/tasks?status=done', cookie);
    assert.equal((finished.body.match(/<tr data-task-id=/g) ?? []).length, 1);
    assert.match(finished.body, new RegExp(`>Task ${done}</a>`));
    assert.match(finished.body, />Done</);
    const byId = await get(`/tasks?q=${done}`, cookie);
    assert.match(byId.body, new RegExp(`>Task ${done}</a>`));
    const byScene = await get('/tasks?q=shot_1', cookie);
    assert.equal((byScene.body.match(/<tr data-task-id=/g) ?? []).length, 11); // shot_1, shot_10…19
  });

  test("another user's task answers not found, on every route", async () => {
    const id = await seedTask(server.farm.store.db, alice.userId, { scene: 'secret.blend', frames: [4] });
    const frame = await server.farm.store.db
      .selectFrom('frames')
      .select('id')
      .where('task_id', '=', id)
      .executeTakeFirstOrThrow();
    const cookie = await signIn(bob);
    for (const url of [
      `/tasks/${id}`,
      `/tasks/${id}/region`,
      `/ui/frames/${frame.id}/thumbnail`,
      `/ui/frames/${frame.id}/log`,
      `/ui/tasks/${id}/outputs/x/y.png`,
    ]) {
      const res = await get(url, cookie);
      assert.equal(res.statusCode, 404, url);
      assert.ok(!res.body.includes('secret.blend'), url);
    }
    const list = await get('/tasks', cookie);
    assert.ok(!list.body.includes('secret.blend'));
    const page = await get('/tasks', cookie);
    const stop = await post(
      `/tasks/${id}/actions`,
      cookie,
      { _csrf: csrfOf(page.body), action: 'stop' },
      { origin: ORIGIN },
    );
    assert.equal(stop.statusCode, 404);
    const bulk = await post(
      '/tasks/bulk',
      cookie,
      { _csrf: csrfOf(page.body), action: 'stop', id: String(id) },
      { origin: ORIGIN },
    );
    assert.equal(bulk.statusCode, 404);
    const status = await server.farm.store.db
      .selectFrom('tasks')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(status.status, TaskStatus.WAITING, 'nothing changed');
  });

  test('render nodes and users are for admins only', async () => {
    const db = server.farm.store.db;
    const admin = await createUser(db, 'root', { admin: true });
    const user = await signIn(alice);
    assert.equal((await get('/nodes', user)).statusCode, 404);
    assert.equal((await get('/users', user)).statusCode, 404);
    assert.doesNotMatch((await get('/tasks', user)).body, /href="\/nodes"/);
    const cookie = await signIn(admin);
    const nodes = await get('/nodes', cookie);
    assert.equal(nodes.statusCode, 200);
    assert.match(nodes.body, /No render nodes/);
    // Disable and enable a node from the page; a user who is not an admin cannot.
    await createWorker(db, 'node-a');
    const token = csrfOf(nodes.body);
    assert.equal(
      (
        await post(
          '/nodes/node-a/disable',
          user,
          { _csrf: csrfOf((await get('/tasks', user)).body) },
          { origin: ORIGIN },
        )
      ).statusCode,
      404,
    );
    const disabled = await post(
      '/nodes/node-a/disable',
      cookie,
      { _csrf: token },
      { origin: ORIGIN, 'hx-request': 'true' },
    );
    assert.equal(disabled.statusCode, 200);
    assert.match(disabled.body, /Disabled node-a\./);
    assert.match(disabled.body, /<span class="node-state ns-disabled">Disabled<\/span>/);
    const row = await db
      .selectFrom('workers')
      .select('disabled')
      .where('name', '=', 'node-a')
      .executeTakeFirstOrThrow();
    assert.equal(row.disabled, 1);
    await post('/nodes/node-a/enable', cookie, { _csrf: token }, { origin: ORIGIN });
    const again = await db
      .selectFrom('workers')
      .select('disabled')
      .where('name', '=', 'node-a')
      .executeTakeFirstOrThrow();
    assert.equal(again.disabled, 0);
    assert.match((await get('/nodes', cookie)).body, /Offline/);
    const users = await get('/users', cookie);
    assert.match(users.body, />alice</);
    assert.ok(!users.body.includes(alice.accessKey));
  });
});

describe('state changes', () => {
  test('need the CSRF token and a same-origin request', async () => {
    const db = server.farm.store.db;
    const id = await seedTask(db, alice.userId, {
      status: TaskStatus.RENDERING,
      frames: [FrameStatus.WAITING],
    });
    const cookie = await signIn(alice);
    const token = csrfOf((await get('/tasks', cookie)).body);
    const status = async () =>
      (await db.selectFrom('tasks').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

    const evil = await post(
      `/tasks/${id}/actions`,
      cookie,
      { _csrf: token, action: 'stop' },
      { origin: 'http://evil.test' },
    );
    assert.equal(evil.statusCode, 403);
    const crossSite = await post(
      `/tasks/${id}/actions`,
      cookie,
      { _csrf: token, action: 'stop' },
      { 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(crossSite.statusCode, 403);
    const noToken = await post(`/tasks/${id}/actions`, cookie, { action: 'stop' }, { origin: ORIGIN });
    assert.equal(noToken.statusCode, 403);
    const otherToken = await post(
      `/tasks/${id}/actions`,
      cookie,
      { _csrf: `${token.slice(0, -1)}x`, action: 'stop' },
      { origin: ORIGIN },
    );
    assert.equal(otherToken.statusCode, 403);
    assert.equal(await status(), TaskStatus.RENDERING, 'no refused request changed anything');

    const ok = await post(
      `/tasks/${id}/actions`,
      cookie,
      { action: 'stop' },
      { origin: ORIGIN, 'x-csrf-token': token, 'hx-request': 'true' },
    );
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /Stopped 1 task/);
    assert.equal(await status(), TaskStatus.STOPPED);
    const started = await post(
      '/tasks/bulk',
      cookie,
      { _csrf: token, action: 'start', id: String(id) },
      { origin: ORIGIN },
    );
    assert.equal(started.statusCode, 303);
    assert.equal(await status(), TaskStatus.WAITING);
  });

  test('every state-changing route is refused from another origin, even with the cookie and the token', async () => {
    const db = server.farm.store.db;
    const admin = await createUser(db, 'guard-admin', { admin: true });
    await createWorker(db, 'node-guard');
    const id = await seedTask(db, admin.userId, {
      status: TaskStatus.RENDERING,
      frames: [FrameStatus.WAITING],
    });
    const cookie = await signIn(admin);
    const token = csrfOf((await get('/tasks', cookie)).body);
    for (const [url, form] of [
      [`/tasks/${id}/actions`, { action: 'stop' }],
      ['/tasks/bulk', { action: 'stop', id: String(id) }],
      ['/nodes/node-guard/disable', {}],
      ['/sign-out', {}],
    ] as const) {
      const foreign: Record<string, string>[] = [
        { origin: 'http://evil.test' },
        { 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of foreign) {
        const res = await post(url, cookie, { _csrf: token, ...form }, headers);
        assert.equal(res.statusCode, 403, `${url} ${JSON.stringify(headers)}`);
      }
      const noToken = await post(url, cookie, form, { origin: ORIGIN });
      assert.equal(noToken.statusCode, 403, `${url} without the token`);
    }
    const status = await db
      .selectFrom('tasks')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(status.status, TaskStatus.RENDERING, 'the task is untouched');
    const node = await db
      .selectFrom('workers')
      .select('disabled')
      .where('name', '=', 'node-guard')
      .executeTakeFirstOrThrow();
    assert.equal(node.disabled, 0, 'the node is untouched');
    assert.equal((await get('/tasks', cookie)).statusCode, 200, 'the session was not signed out');
    const signInElsewhere = await server.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: {
        host: HOST,
        origin: 'http://evil.test',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ accessId: admin.accessId, accessKey: admin.accessKey }).toString(),
    });
    assert.equal(signInElsewhere.statusCode, 403, 'the sign-in form from another origin');
    assert.equal(signInElsewhere.headers['set-cookie'], undefined);
  });

  test('re-render chosen frames, priority and delete', async () => {
    const db = server.farm.store.db;
    const id = await seedTask(db, alice.userId, {
      status: TaskStatus.FINISHED_WITH_FAILURES,
      frames: [4, 5, 4],
    });
    const frames = await db
      .selectFrom('frames')
      .select(['id', 'state'])
      .where('task_id', '=', id)
      .orderBy('id')
      .execute();
    const cookie = await signIn(alice);
    const token = csrfOf((await get(`/tasks/${id}`, cookie)).body);
    const h = { origin: ORIGIN, 'hx-request': 'true' };
    const rerender = await post(
      `/tasks/${id}/actions`,
      cookie,
      { _csrf: token, action: 'rerender', frame: String(frames[0]!.id) },
      h,
    );
    assert.match(rerender.body, /Sent 1 frame back to the queue/);
    const after = await db
      .selectFrom('frames')
      .select(['id', 'state'])
      .where('task_id', '=', id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      after.map((f) => f.state),
      [FrameStatus.WAITING, FrameStatus.FAILED, FrameStatus.DONE],
    );
    await post(`/tasks/${id}/actions`, cookie, { _csrf: token, action: 'priority', priority: '60' }, h);
    const level = await db
      .selectFrom('tasks')
      .select('task_user_level')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(level.task_user_level, 60);
    const del = await post(`/tasks/${id}/actions`, cookie, { _csrf: token, action: 'delete' }, h);
    assert.equal(del.headers['hx-redirect'], '/tasks');
    assert.equal((await get(`/tasks/${id}`, cookie)).statusCode, 404);
  });
});

describe('thumbnails', () => {
  test('loadingFrameThumbnail answers a URL that fetches the image, for that frame only', async () => {
    const db = server.farm.store.db;
    const id = await seedTask(db, alice.userId, { frames: [FrameStatus.DONE, FrameStatus.DONE] });
    const frames = await db
      .selectFrom('frames')
      .select('id')
      .where('task_id', '=', id)
      .orderBy('id')
      .execute();
    const jpeg = Buffer.from('not really a jpeg, but bytes all the same');
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    const blobs = await LocalBlobStore.open(join(root, 'farm', 'blobs'));
    await blobs.put({ sha256, size: jpeg.length }, jpeg);
    await blobs.close();
    const path = `/${id}/thumbnails/frame_${frames[0]!.id}.jpg`;
    // What the node's thumbnail upload records (the route itself is the scheduler's, tested there).
    await db
      .insertInto('transfer_manifest')
      .values({
        user_id: alice.userId,
        storage: 'config',
        path,
        sha256,
        size: jpeg.length,
        mtime: 1,
        updated_at: 1,
      })
      .execute();
    await db.updateTable('frames').set({ thumbnail_path: path }).where('id', '=', frames[0]!.id).execute();

    const { RayvisionAPI } = await import('@openfarm/sdk');
    const listening = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const api = new RayvisionAPI({
      domain: new URL(listening).host,
      protocol: 'http',
      accessId: alice.accessId,
      accessKey: alice.accessKey,
      platform: '2',
    });
    const [url] = await api.query.getFrameThumbnail(frames[0]!.id);
    assert.ok(url?.startsWith(`${listening}/api/openfarm/thumbnails/${frames[0]!.id}.jpg?token=`), url);
    const res = await fetch(url!);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), jpeg);
    // The token is for that frame: another frame's address with it is refused.
    const other = url!.replace(`/${frames[0]!.id}.jpg`, `/${frames[1]!.id}.jpg`);
    assert.equal((await fetch(other)).status, 401);
    assert.equal(
      (
        await fetch(
          url!.replace(/token=.*/, 'token=1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
        )
      ).status,
      401,
    );
    assert.deepEqual(await api.query.getFrameThumbnail(frames[1]!.id), [], 'no thumbnail, no URL');
    // The dashboard serves it with the session's rights.
    const cookie = await signIn(alice);
    const img = await get(`/ui/frames/${frames[0]!.id}/thumbnail`, cookie);
    assert.equal(img.statusCode, 200);
    assert.equal(img.rawPayload.length, jpeg.length);
    assert.equal(
      (await get(`/ui/frames/${frames[0]!.id}/thumbnail`)).statusCode,
      303,
      'no session, no image',
    );
  });
});

describe('live events', () => {
  test('carry no task data, and the stream ends once the session does', async () => {
    const db = server.farm.store.db;
    const erin = await createUser(db, 'erin');
    const cookie = await signIn(erin);
    const listening = await server.app.listen({ host: '127.0.0.1', port: 0 }).catch(() => undefined);
    const address = server.app.server.address();
    const base =
      listening ?? `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const res = await fetch(`${base}/ui/events`, { headers: { cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      const end = Date.now() + 10_000;
      while (!pattern.test(text)) {
        if (Date.now() > end) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
    };
    const id = await seedTask(db, erin.userId, { scene: 'private-scene.blend' });
    server.farm.events.publish({
      userId: erin.userId,
      type: 'task',
      taskId: id,
      status: TaskStatus.RENDERING,
    });
    server.farm.events.publish({
      userId: alice.userId,
      type: 'task',
      taskId: 999,
      status: TaskStatus.RENDERING,
    });
    await readUntil(/event: task\ndata: \{\}\n\n/);
    assert.ok(!text.includes(String(id)) && !text.includes('999'), 'events name no task');
    assert.equal(
      (text.match(/event: task/g) ?? []).length,
      1,
      "another user's event does not reach the stream",
    );
    await setUserDisabled(db, 'erin', true);
    await readUntil(/event: signed-out/);
    const { done } = await reader.read();
    assert.equal(done, true, 'the stream ended');
  });
});

describe('live events from render nodes', () => {
  /** An open `/ui/events` stream, read as text. */
  async function openStream(cookie: string) {
    const listening = await server.app.listen({ host: '127.0.0.1', port: 0 }).catch(() => undefined);
    const address = server.app.server.address();
    const base =
      listening ?? `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const res = await fetch(`${base}/ui/events`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const stream = {
      text: '',
      async readUntil(pattern: RegExp) {
        const end = Date.now() + 10_000;
        while (!pattern.test(stream.text)) {
          if (Date.now() > end) throw new Error(`no ${pattern} in ${JSON.stringify(stream.text)}`);
          const { value, done } = await reader.read();
          if (done) break;
          stream.text += Buffer.from(value).toString('utf8');
        }
      },
      close: () => reader.cancel(),
    };
    // The stream subscribes before it writes its first line.
    await stream.readUntil(/retry: 3000/);
    return stream;
  }

  test("a node's log lines reach the owner's stream only, node changes the admins' only", async () => {
    const db = server.farm.store.db;
    const admin = await createUser(db, 'ops', { admin: true });
    const owner = await openStream(await signIn(alice));
    const other = await openStream(await signIn(bob));
    const ops = await openStream(await signIn(admin));
    const node = await createWorker(db, 'node-live');
    const taskId = await seedTask(db, alice.userId, { scene: 'live.blend', frames: [FrameStatus.RUNNING] });
    const frame = await db
      .selectFrom('frames')
      .select('id')
      .where('task_id', '=', taskId)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('frames')
      .set({
        lease_owner: 'node-live',
        lease_epoch: 7,
        lease_expires_at: Date.now() + 600_000,
        node_name: 'node-live',
      })
      .where('id', '=', frame.id)
      .execute();
    const nodePost = (url: string, body: unknown) =>
      server.app.inject({
        method: 'POST',
        url,
        headers: { host: HOST, authorization: `Bearer ${node.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });

    const logged = await nodePost('/api/openfarm/workers/frames/log', {
      frameId: frame.id,
      epoch: 7,
      lines: ['Fra:1 Mem:12M | Rendering 1 / 64 samples'],
    });
    assert.equal(logged.statusCode, 200, logged.body);
    await owner.readUntil(/event: log\ndata: \{\}\n\n/);

    const registered = await nodePost('/api/openfarm/workers/register', {
      os: 'linux',
      cores: 2,
      ramMb: 4096,
      slots: 1,
      renderers: [{ cgName: 'blender', version: '3.4.1' }],
    });
    assert.equal(registered.statusCode, 200, registered.body);
    await ops.readUntil(/event: node\ndata: \{\}\n\n/);

    // A marker event per stream: whatever was sent before it has arrived once it has.
    for (const u of [alice, bob, admin]) {
      server.farm.events.publish({ userId: u.userId, type: 'task', taskId: 1_000_000 + u.userId, status: 0 });
    }
    await owner.readUntil(/event: task/);
    await other.readUntil(/event: task/);
    await ops.readUntil(/event: task[\s\S]*event: task[\s\S]*event: task/);
    assert.doesNotMatch(owner.text, /event: node/, "node changes are not for a user's stream");
    assert.doesNotMatch(other.text, /event: (log|node)/, "another user's stream hears nothing of them");
    assert.doesNotMatch(ops.text, /event: log/, "an admin's stream does not hear other users' logs");
    for (const s of [owner, other, ops]) {
      assert.ok(!s.text.includes(String(frame.id)) && !s.text.includes('Fra:1'), 'events carry no data');
      await s.close();
    }
  });
});
