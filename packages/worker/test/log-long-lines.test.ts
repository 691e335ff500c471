/**
 * One long line must not cost a frame's log. The farm refuses a log line over
 * 16,384 characters, and with it the whole chunk (up to 500 lines) it came in.
 * Real Blender renders the sample scene through a wrapper that first prints a
 * 40,000-character line and a line with a NUL (which PostgreSQL cannot store):
 * the stored log keeps every line around them, the long one clamped and marked.
 * Before, the node sent the line as it was and the chunk was dropped.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus } from '@openfarm/protocol';
import type { RunningFarmServer } from '@openfarm/server';
import { blenderAdapter, type InstalledRenderer, MAX_LOG_LINE } from '@openfarm/worker';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import {
  closeFarm,
  startFarm,
  startRenderNode,
  submitSampleScene,
  waitForTaskFinished,
  wrapRenderer,
} from './farm-support.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-log-lines-'));
  blender = await blenderAdapter.detect();
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 5000, reapIntervalMs: 200, maxPollMs: 1000 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

test('a 40,000-character line is clamped and marked; no line around it is lost', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip) return t.skip(skip);
  const db = server.farm.store.db;
  const { taskId } = await submitSampleScene(server, root, { frames: 1, userName: 'artist' });
  const chatty = await wrapRenderer(
    blender!,
    join(root, 'blender-chatty.sh'),
    `echo "before the long line"
head -c 40000 /dev/zero | tr '\\0' x; echo
printf 'a NUL here:\\0 and after\\n'
exec '${blender!.executable}' "$@"
`,
  );
  const node = await startRenderNode(db, {
    server: server.url,
    name: 'node-1',
    workDir: join(root, 'node-1'),
    renderer: chatty,
  });
  try {
    await waitForTaskFinished(db, taskId, 120_000);
  } finally {
    await node.stop();
  }
  const frame = await db
    .selectFrom('frames')
    .selectAll()
    .where('task_id', '=', taskId)
    .executeTakeFirstOrThrow();
  assert.equal(frame.state, FrameStatus.DONE);
  const log = (
    await db
      .selectFrom('frame_log_lines')
      .select('line')
      .where('frame_id', '=', frame.id)
      .orderBy('seq')
      .execute()
  ).map((l) => l.line);
  const at = log.indexOf('before the long line');
  assert.ok(at >= 1, `the lines of the chunk are stored:\n${log.slice(0, 5).join('\n').slice(0, 2000)}`);
  assert.match(log[0]!, /^\[openfarm\] staging/);
  const long = log[at + 1]!;
  assert.ok(long.length <= MAX_LOG_LINE, `clamped to ${long.length}`);
  const m = / … \[truncated (\d+) characters\]$/.exec(long);
  assert.ok(m, `marked: …${long.slice(-60)}`);
  assert.equal(long.length - m[0].length + Number(m[1]), 40_000, 'the mark counts what was cut');
  assert.ok(/^x+$/.test(long.slice(0, long.length - m[0].length)));
  assert.equal(log[at + 2], 'a NUL here:\uFFFD and after');
  assert.ok(log.some((l) => l.startsWith('Read blend:')) && log.some((l) => l.startsWith('Saved:')));
});
