/**
 * Output retention per account: each task owner's outputs expire after that
 * owner's retention (own setting, else the main account's, else the farm's
 * default), on SQLite and (in the PostgreSQL pass) on PostgreSQL. Outputs are
 * written the way the render-node output route writes them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { LocalBlobStore } from '../src/blob/index.js';
import {
  expireOutputs,
  ownOutputRetention,
  setOutputRetention,
  startGcSchedule,
} from '../src/blob-gc/index.js';
import type { Database } from '../src/store/database.js';
import { recordHeldBlob } from '../src/transfer/held-blobs.js';
import { writeManifest } from '../src/transfer/manifest.js';
import { startTestFarm } from './support/farm.js';
import { keyOf } from './support/gc-scenario.js';

const DAY = 86_400_000;
const AGES = [5, 20, 40] as const;

/** One output per age for `userId`, written `age` days ago, each with its own blob the user holds. */
async function writeOutputs(db: Kysely<Database>, userId: number): Promise<void> {
  for (const age of AGES) {
    const key = keyOf(randomBytes(64));
    await recordHeldBlob(db, userId, key);
    const path = `/1_shot/frame_${age}d.exr`;
    await writeManifest(db, userId, userId, 'output', [{ path, ...key, mtime: 1 }]);
    await db
      .updateTable('transfer_manifest')
      .set({ updated_at: Date.now() - age * DAY })
      .where('user_id', '=', userId)
      .where('path', '=', path)
      .execute();
  }
}

/** The ages (days) of the user's outputs still listed, and how many blobs the user still holds. */
async function left(db: Kysely<Database>, userId: number): Promise<{ ages: number[]; held: number }> {
  const rows = await db
    .selectFrom('transfer_manifest')
    .select('path')
    .where('user_id', '=', userId)
    .where('storage', '=', 'output')
    .execute();
  const held = await db
    .selectFrom('transfer_user_blobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  const ages = rows.map((r) => Number(/frame_(\d+)d/.exec(r.path)?.[1])).sort((a, b) => a - b);
  return { ages, held: Number(held.n) };
}

test("each task owner's outputs expire after that owner's retention, sub-accounts following their main account", async () => {
  const farm = await startTestFarm();
  try {
    const db = farm.server.farm.store.db;
    const studio = await farm.addUser('studio');
    const artist = await farm.addUser('artist', { subOf: studio.userId });
    const lead = await farm.addUser('lead', { subOf: studio.userId });
    const solo = await farm.addUser('solo');
    const archive = await farm.addUser('archive');
    await setOutputRetention(db, studio.userId, 10 * DAY);
    await setOutputRetention(db, lead.userId, 'forever');
    await setOutputRetention(db, archive.userId, 'forever');
    assert.equal(await ownOutputRetention(db, studio.userId), 10 * DAY);
    assert.equal(await ownOutputRetention(db, lead.userId), 'forever');
    assert.equal(await ownOutputRetention(db, artist.userId), 'default');
    for (const u of [studio, artist, lead, solo, archive]) await writeOutputs(db, u.userId);

    // No farm default: only the accounts with a retention (their own or their main account's) expire.
    const first = await expireOutputs(db);
    assert.deepEqual(first, { outputs: 4, heldRows: 4 });
    assert.deepEqual(await left(db, studio.userId), { ages: [5], held: 1 });
    assert.deepEqual(await left(db, artist.userId), { ages: [5], held: 1 }, 'follows its main account');
    assert.deepEqual(await left(db, lead.userId), { ages: [5, 20, 40], held: 3 }, 'its own setting wins');
    assert.deepEqual(await left(db, solo.userId), { ages: [5, 20, 40], held: 3 }, 'no default: kept');

    // The farm's default applies to accounts without their own; 'forever' stays kept.
    const second = await expireOutputs(db, { defaultRetentionMs: 30 * DAY });
    assert.deepEqual(second, { outputs: 1, heldRows: 1 });
    assert.deepEqual(await left(db, solo.userId), { ages: [5, 20], held: 2 });
    assert.deepEqual(await left(db, archive.userId), { ages: [5, 20, 40], held: 3 });
    assert.deepEqual(await left(db, lead.userId), { ages: [5, 20, 40], held: 3 });

    // Back to the default: the sub-account now follows its main account's 10 days.
    await setOutputRetention(db, lead.userId, 'default');
    assert.equal(await ownOutputRetention(db, lead.userId), 'default');
    assert.deepEqual(await expireOutputs(db, { defaultRetentionMs: 30 * DAY }), { outputs: 2, heldRows: 2 });
    assert.deepEqual(await left(db, lead.userId), { ages: [5], held: 1 });
    await assert.rejects(setOutputRetention(db, solo.userId, 0), RangeError);
  } finally {
    await farm.close();
  }
});

test("a held blob another of the owner's entries still names is kept when an output expires", async () => {
  const farm = await startTestFarm();
  try {
    const db = farm.server.farm.store.db;
    const user = await farm.addUser('kim');
    await setOutputRetention(db, user.userId, DAY);
    const key = keyOf(randomBytes(64));
    await recordHeldBlob(db, user.userId, key);
    await writeManifest(db, user.userId, user.userId, 'output', [{ path: '/1_a/old.exr', ...key, mtime: 1 }]);
    await writeManifest(db, user.userId, user.userId, 'input', [
      { path: '/D/tex/same.exr', ...key, mtime: 1 },
    ]);
    await db
      .updateTable('transfer_manifest')
      .set({ updated_at: Date.now() - 2 * DAY })
      .where('user_id', '=', user.userId)
      .execute();
    assert.deepEqual(await expireOutputs(db), { outputs: 1, heldRows: 0 }, 'inputs never expire');
    assert.deepEqual(await left(db, user.userId), { ages: [], held: 1 });
  } finally {
    await farm.close();
  }
});

test("the server's schedule expires accounts with their own retention without a farm default", async () => {
  const farm = await startTestFarm();
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-retention-'));
  const blobs = await LocalBlobStore.open(dir, { durable: false });
  try {
    const db = farm.server.farm.store.db;
    const user = await farm.addUser('lee');
    await setOutputRetention(db, user.userId, 10 * DAY);
    await writeOutputs(db, user.userId);
    const runs: number[] = [];
    const errors: unknown[] = [];
    const schedule = startGcSchedule({
      db,
      blobs,
      intervalMs: 50,
      graceMs: 60_000,
      onRun: (r) => runs.push(r.expiredOutputs),
      onError: (err) => errors.push(err),
    });
    while (runs.length === 0 && errors.length === 0) await new Promise((r) => setTimeout(r, 20));
    await schedule.stop();
    assert.deepEqual(errors, []);
    assert.equal(runs[0], 2);
    assert.deepEqual(await left(db, user.userId), { ages: [5], held: 1 });
  } finally {
    await blobs.close();
    await rm(dir, { recursive: true, force: true });
    await farm.close();
  }
});
