/**
 * Names the CLI prints come from farms and disks it does not control: an ESC
 * sequence, a NUL or a bidi override in a task's scene name must reach the
 * terminal as a visible escape, never raw. The farm refuses such names now,
 * but an older farm's database can hold them: here one is written into the
 * database directly, and `openfarm tasks` / `task` print it escaped.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findUnprintable } from '@openfarm/protocol';
import { createUser, type NewUser, type RunningFarmServer, startServer } from '@openfarm/server';
import { jsonSafe, terminalSafe } from '../src/output.js';
import { runInProcess } from './cli-runner.js';

/** Anything a terminal would act on: C0 but tab/newline, DEL, C1, bidi controls, line separators. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

test('terminalSafe escapes exactly the characters the API refuses in names', () => {
  for (let code = 0; code <= 0xffff; code++) {
    const c = String.fromCharCode(code);
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const refused = findUnprintable(c) !== undefined;
    assert.equal(terminalSafe(c) !== c, refused, `U+${code.toString(16)}`);
    const layout = c === '\t' || c === '\n';
    assert.equal(
      terminalSafe(c, { keepLayout: true }) !== c,
      refused && !layout,
      `U+${code.toString(16)} (layout kept)`,
    );
  }
});

test('terminalSafe shows control and bidi characters as escapes and leaves the rest alone', () => {
  assert.equal(terminalSafe('red\u001b[31mtext'), 'red\\x1b[31mtext');
  assert.equal(terminalSafe('a\u0000b\rc\u0008d\u007f'), 'a\\x00b\\x0dc\\x08d\\x7f');
  assert.equal(terminalSafe('csi\u009b2J'), 'csi\\x9b2J');
  assert.equal(terminalSafe('evil\u202egpj.exe'), 'evil\\u202egpj.exe');
  assert.equal(
    terminalSafe('\u2066iso\u2069 \u200f \u061c \u2028'),
    '\\u2066iso\\u2069 \\u200f \\u061c \\u2028',
  );
  assert.equal(terminalSafe('two\nlines\tand tab'), 'two\\x0alines\\x09and tab');
  assert.equal(terminalSafe('two\nlines\tand tab\u001b', { keepLayout: true }), 'two\nlines\tand tab\\x1b');
  const plain = 'Shot_010 é 日本語 👩‍👩‍👧 C:\\Projects\\demo';
  assert.equal(terminalSafe(plain), plain);
});

test('jsonSafe is the same JSON with nothing a terminal acts on', () => {
  const value = { name: 'a\u001b[2Jb\u0085c\u202ed\u007fe\u2028f', list: ['\u0000', 'ok'] };
  const text = jsonSafe(value);
  assert.doesNotMatch(text.replace(/\n/g, ''), RAW);
  assert.deepEqual(JSON.parse(text), value);
  assert.equal(jsonSafe({ a: 1 }, 0), '{"a":1}');
});

let dir: string;
let server: RunningFarmServer;
let user: NewUser;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-cli-safety-'));
  server = await startServer({ dataDir: join(dir, 'farm'), host: '127.0.0.1', port: 0, logLevel: 'silent' });
  user = await createUser(server.farm.store.db, 'safety');
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('openfarm tasks and task print a scene name holding ESC, NUL and an RTL override escaped', async () => {
  const env = {
    OPENFARM_CONFIG: join(dir, 'no-profile.json'),
    OPENFARM_URL: server.url,
    RAYVISION_API_ACCESS_ID: user.accessId,
    RAYVISION_API_KEY: user.accessKey,
    OPENFARM_PLATFORM: '2',
  };
  const created = await runInProcess(['tasks', '--json'], env);
  assert.equal(created.status, 0, created.stderr);
  // A task made the ordinary way, then renamed in the database as an old farm could have stored it.
  const { RayvisionAPI } = await import('@openfarm/sdk');
  const api = new RayvisionAPI({
    domain: new URL(server.url).host,
    protocol: 'http',
    accessId: user.accessId,
    accessKey: user.accessKey,
    platform: '2',
  });
  const taskId = (await api.task.createTask()).taskIdList[0] as number;
  const evil = 'shot\u001b[2J\u001b]0;pwned\u0007\u0000x\u202egpj.exe\nFAKE LINE';
  await server.farm.store.db
    .updateTable('tasks')
    .set({ scene_name: evil, project_name: 'p\u009b31m' })
    .where('id', '=', taskId)
    .execute();

  const list = await runInProcess(['tasks'], env);
  assert.equal(list.status, 0, list.stderr);
  assert.doesNotMatch(list.stdout.replace(/\n/g, ''), RAW, 'no raw control character in the table');
  assert.match(list.stdout, /shot\\x1b\[2J\\x1b\]0;pwned\\x07\\x00x\\u202egpj\.exe\\x0aFAKE LINE/);
  assert.match(list.stdout, /p\\x9b31m/);
  assert.doesNotMatch(list.stdout, /^FAKE LINE/m, 'a newline in a name does not start a line of its own');

  const one = await runInProcess(['task', String(taskId)], env);
  assert.equal(one.status, 0, one.stderr);
  assert.doesNotMatch(one.stdout.replace(/\n/g, ''), RAW);
  assert.match(one.stdout, /scene +shot\\x1b\[2J/);

  // JSON for scripts: still the exact name once parsed, but nothing raw on the terminal.
  const json = await runInProcess(['tasks', '--json'], env);
  assert.doesNotMatch(json.stdout.replace(/\n/g, ''), RAW);
  const page = JSON.parse(json.stdout) as { items: Array<{ id: number; sceneName: string }> };
  assert.equal(page.items.find((t) => t.id === taskId)?.sceneName, evil);
});
