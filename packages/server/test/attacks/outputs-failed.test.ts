/**
 * A frame is done only when every output it wrote is stored on the farm.
 * Real Blender renders the sample scene through a wrapper that, on the first
 * run only, also leaves an image whose name the farm refuses: one with a
 * control character (a tab, as a render layer named with one gives). Before, the refusal was
 * only printed by the node and the frame was reported done, losing that image.
 * Now the first attempt fails with the refusal in the frame's log, the farm
 * leases the frame again, and the second attempt (nothing refused) is done.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus } from '@openfarm/protocol';
import type { RunningFarmServer } from '@openfarm/server';
import { blenderAdapter, type InstalledRenderer } from '@openfarm/worker';
import { requireProgram } from '../../../../scripts/test-support/require-program.js';
import {
  closeFarm,
  startFarm,
  startRenderNode,
  submitSampleScene,
  waitForTaskFinished,
  wrapRenderer,
} from '../../../worker/test/farm-support.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-outputs-failed-'));
  blender = await blenderAdapter.detect();
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 5000, reapIntervalMs: 200, maxPollMs: 1000 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

/** Blender, then once a copy of its image under a name with a tab (a layer named so) beside it. */
function blenderLeavingARefusedName(real: InstalledRenderer): Promise<InstalledRenderer> {
  const once = join(root, 'bad-name-written');
  return wrapRenderer(
    real,
    join(root, 'blender-then-bad-name.sh'),
    `out=""; prev=""
for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
'${real.executable}' "$@" || exit $?
if [ ! -e '${once}' ]; then
  : > '${once}'
  dir=$(dirname "$out")
  set -- "$dir"/*.png
  cp "$1" "$dir/$(printf 'beauty\\tpass')_0001.png"
fi
`,
  );
}

test('an output the farm refuses fails the frame with the reason in its log; the retry is done', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip) return t.skip(skip);
  const db = server.farm.store.db;
  const { taskId, userId } = await submitSampleScene(server, root, { frames: 1, userName: 'artist' });
  const { agent, stop } = await startRenderNode(db, {
    server: server.url,
    name: 'node-1',
    workDir: join(root, 'node-1'),
    renderer: await blenderLeavingARefusedName(blender!),
  });
  try {
    await waitForTaskFinished(db, taskId, 120_000);
  } finally {
    await stop();
  }
  const frame = await db
    .selectFrom('frames')
    .selectAll()
    .where('task_id', '=', taskId)
    .executeTakeFirstOrThrow();
  assert.equal(frame.state, FrameStatus.DONE);
  assert.equal(
    frame.attempt,
    2,
    'the attempt with a refused output was not done; the farm rendered it again',
  );
  assert.deepEqual(agent.outcomes, { done: 1, failed: 1, cancelled: 0 });

  const log = (
    await db
      .selectFrom('frame_log_lines')
      .select('line')
      .where('frame_id', '=', frame.id)
      .orderBy('seq')
      .execute()
  ).map((l) => l.line);
  assert.ok(
    log.some((l) => /output beauty\tpass_0001\.png was not stored: .*control character/.test(l)),
    `the log says which output was refused and why:\n${log.filter((l) => l.startsWith('[openfarm]')).join('\n')}`,
  );
  const outputs = await db
    .selectFrom('transfer_manifest')
    .select('path')
    .where('user_id', '=', userId)
    .where('storage', '=', 'output')
    .execute();
  assert.equal(outputs.length, 1, 'the image of the attempt that was done');
  assert.match(outputs[0]!.path, /sample_0001\.png$/);
});
