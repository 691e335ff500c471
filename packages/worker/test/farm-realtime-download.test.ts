/**
 * Realtime download through real render nodes: while 2 nodes render the
 * sample scene with Blender, the artist's `autoDownload` (event stream, with
 * a polling fallback far slower than the bounds checked) puts each frame on
 * disk moments after the farm marks it done.
 *
 * The delay is measured from the farm's "frame done" event (the bus that
 * feeds the event stream, subscribed to in this process) to the moment the
 * file is complete on disk, as seen by the test itself: the download folder is
 * polled every 20 ms and a file counts once its content hashes to the output
 * the farm holds (the SDK writes to a temporary name and renames, so a half
 * file never shows under the final name; the hash would catch it if it did).
 * A file can land before its own frame's "done": a pass started by another
 * frame's event fetches every output already uploaded, and a node uploads
 * before it reports the frame done. That shows as a negative delay.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus } from '@openfarm/protocol';
import { RayvisionDownload } from '@openfarm/sdk';
import { createWorker, type RunningFarmServer } from '@openfarm/server';
import { Agent, blenderAdapter, type InstalledRenderer } from '@openfarm/worker';
import sharp from 'sharp';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-realtime-'));
  blender = await blenderAdapter.detect();
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 20_000, reapIntervalMs: 500, maxPollMs: 500 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

/** What the test saw of one file under the download folder: each distinct content, when first seen. */
interface Seen {
  key: string;
  contents: Array<{ sha256: string; at: number }>;
}

/** Poll `dir` every `everyMs` until stopped, hashing each file whenever its inode, size or mtime changes. */
function watchFolder(dir: string, everyMs: number): { seen: Map<string, Seen>; stop: () => Promise<void> } {
  const seen = new Map<string, Seen>();
  let stopped = false;
  const scan = async (): Promise<void> => {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(dir, name);
      const at = performance.now();
      const s = await stat(path).catch(() => undefined);
      if (!s?.isFile()) continue;
      const key = `${s.ino}:${s.size}:${s.mtimeMs}`;
      const entry = seen.get(name) ?? { key: '', contents: [] };
      if (entry.key === key) continue;
      const content = await readFile(path).catch(() => undefined);
      if (content === undefined) continue;
      entry.key = key;
      const sha256 = createHash('sha256').update(content).digest('hex');
      if (!entry.contents.some((c) => c.sha256 === sha256)) entry.contents.push({ sha256, at });
      seen.set(name, entry);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await scan();
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await scan();
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

test('autoDownload gets each frame moments after the farm marks it done, rendered by real nodes', {
  timeout: 110_000,
}, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const frames = 6;
  const { taskId, userId, api } = await submitSampleScene(server, root, {
    frames,
    size: 64,
    userName: 'watcher',
  });
  const db = server.farm.store.db;
  const folder = (
    await db.selectFrom('tasks').select('output_file_name').where('id', '=', taskId).executeTakeFirstOrThrow()
  ).output_file_name;

  // When the farm marked each frame done, by frame id (the bus the event stream reads).
  const doneAt = new Map<number, number>();
  const unsubscribe = server.farm.events.subscribe(userId, (e) => {
    if (
      e.type === 'frame' &&
      e.status === FrameStatus.DONE &&
      e.frameId !== undefined &&
      !doneAt.has(e.frameId)
    )
      doneAt.set(e.frameId, performance.now());
  });
  t.after(unsubscribe);

  const localPath = join(root, 'renders');
  const disk = watchFolder(join(localPath, folder), 20);
  t.after(disk.stop);
  const download = new RayvisionDownload(api, { logDir: join(root, 'logs') });
  const announced = new Map<string, number>();
  download.on('file', (f) => announced.set(f.serverPath, performance.now()));
  // sleepTime 60 s: a frame on disk within seconds came through the event stream, not a poll.
  const downloading = download.autoDownload([taskId], { localPath, sleepTime: 60 });
  // Awaited below; this keeps a failure before that point from being an unhandled rejection.
  downloading.catch(() => undefined);
  await waitUntil('the event stream to open', async () => server.farm.events.subscriberCount() >= 2, 10_000);

  const agents = await Promise.all(
    ['rt-a', 'rt-b'].map(async (name) => {
      const w = await createWorker(db, name);
      return Agent.create({
        server: server.url,
        token: w.token,
        workDir: join(root, name),
        threads: 1,
        renderers: [blender as InstalledRenderer],
      });
    }),
  );
  const runs = agents.map((a) => a.run());
  let report: Awaited<typeof downloading>;
  try {
    report = await downloading;
  } finally {
    for (const a of agents) await a.stop();
    await Promise.all(runs);
    await disk.stop();
  }
  assert.deepEqual(report.failures, []);
  assert.equal(report.downloadedFiles, frames, 'each output downloaded once');

  const rows = await db
    .selectFrom('frames')
    .select(['id', 'frame_index', 'state', 'node_name'])
    .where('task_id', '=', taskId)
    .execute();
  assert.equal(rows.length, frames);
  assert.equal(new Set(rows.map((r) => r.node_name)).size, 2, 'both nodes rendered');
  const outputs = new Map(
    (
      await db
        .selectFrom('transfer_manifest')
        .select(['path', 'sha256'])
        .where('user_id', '=', userId)
        .where('storage', '=', 'output')
        .execute()
    ).map((o) => [o.path, o.sha256]),
  );
  const latencies: number[] = [];
  const lines: string[] = [];
  for (const row of rows) {
    assert.equal(row.state, FrameStatus.DONE);
    const name = `sample_${row.frame_index.padStart(4, '0')}.png`;
    const serverPath = `/${folder}/${name}`;
    const sha256 = outputs.get(serverPath);
    const done = doneAt.get(row.id);
    assert.ok(sha256 !== undefined && done !== undefined, `frame ${row.frame_index}: output and done event`);
    const file = disk.seen.get(name);
    assert.deepEqual(
      file?.contents.map((c) => c.sha256),
      [sha256],
      `${name}: on disk only ever with the farm's content`,
    );
    const onDisk = (file?.contents[0]?.at as number) - done;
    latencies.push(onDisk);
    const told = announced.get(serverPath);
    lines.push(
      `${name}: ${onDisk.toFixed(0)} ms` +
        (told === undefined ? '' : ` (SDK file event ${(told - done).toFixed(0)} ms)`),
    );
    const path = join(localPath, folder, name);
    const meta = await sharp(path).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, 64);
    const image = await sharp(path).stats();
    assert.ok(
      image.channels.some((c) => c.stdev > 1),
      `${name} decodes and is not uniform`,
    );
  }
  latencies.sort((a, b) => a - b);
  const median = (latencies[(frames - 1) >> 1]! + latencies[frames >> 1]!) / 2;
  const slowest = latencies.at(-1) as number;
  t.diagnostic(`file complete on disk after the farm marked its frame done: ${lines.join(', ')}`);
  t.diagnostic(`median ${median.toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms`);
  // The goal is 1 s; the bounds are looser so a loaded machine does not fail the test (the log has the figures).
  assert.ok(median <= 2000, `median ${median.toFixed(0)} ms`);
  assert.ok(slowest <= 5000, `slowest ${slowest.toFixed(0)} ms`);
});
