/**
 * The batch claim's plan on SQLite (last test): its frames are looked up by id.
 * With the guard on the bare `state` column SQLite walked every waiting frame of
 * the farm instead (47 frames/s with 1,000,000 queued).
 *
 * The candidate-task query's plan on SQLite: each "has a waiting frame" test
 * must stay a correlated probe of `frames_lease_order`. SQLite 3.47+ turns a
 * plain `exists` in WHERE into a join; with the ORDER BY's sort that join read
 * every waiting frame of every candidate task, so a lease slowed with the
 * queue's depth (bench/dispatch.ts: 287 frames/s with 1,000 queued, 21 with
 * 100,000). The plan, not a timing, is what this test pins.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompiledQuery } from 'kysely';
import { claimFramesQuery } from '../src/scheduler/sql/claim-frame.js';
import { leaseTasksQuery, warmLeaseTasksQuery } from '../src/scheduler/sql/lease-candidates.js';
import { type SchedulerFarm, startSchedulerFarm, submitTask } from './scheduler-support.js';

let f: SchedulerFarm;
before(async () => {
  f = await startSchedulerFarm();
});
after(() => f.close());

test('the candidate-task query probes frames per task, never joins them (SQLite plan)', async (t) => {
  if (f.farm.server.farm.store.dialect !== 'sqlite') {
    t.skip(
      'plan shape checked on SQLite; PostgreSQL plans exists as a semi-join that stops at the first row',
    );
    return;
  }
  await submitTask(f.user, { frames: '1-50[1]', taskUserLevel: 10 });
  await submitTask(f.user, { frames: '1-5[1]' });
  const c = leaseTasksQuery(f.db, {
    workerId: 1,
    cgIds: [2007],
    platform: null,
    blocklistAfter: 3,
    excludeTaskIds: [],
    limit: 8,
  }).compile();
  const plan = await f.db.executeQuery<{ id: number; parent: number; detail: string }>(
    CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]),
  );
  const rows = plan.rows;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const frameSearches = rows.filter((r) => /^SEARCH w\b/.test(r.detail));
  assert.ok(frameSearches.length >= 2, rows.map((r) => r.detail).join('\n'));
  for (const r of frameSearches) {
    const parent = byId.get(r.parent);
    assert.ok(
      parent !== undefined && /CORRELATED SCALAR SUBQUERY/.test(parent.detail),
      `frames searched outside a correlated subquery:\n${rows.map((x) => `${x.id} ${x.parent} ${x.detail}`).join('\n')}`,
    );
    assert.match(r.detail, /frames_lease_order/);
  }
  // The query still answers: both tasks, the higher level first.
  const ids = (await f.db.executeQuery<{ id: number }>(c)).rows.map((r) => r.id);
  assert.equal(ids.length, 2);
});

test('the query ordered for a node with warm tasks also probes frames per task (SQLite plan)', async (t) => {
  if (f.farm.server.farm.store.dialect !== 'sqlite') {
    t.skip('plan shape checked on SQLite');
    return;
  }
  const warm = await submitTask(f.user, { frames: '1-5[1]' });
  const c = warmLeaseTasksQuery(
    f.db,
    { workerId: 1, cgIds: [2007], platform: null, blocklistAfter: 3, excludeTaskIds: [], limit: 8 },
    [warm],
  ).compile();
  const plan = await f.db.executeQuery<{ id: number; parent: number; detail: string }>(
    CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]),
  );
  const rows = plan.rows;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const frameSearches = rows.filter((r) => /^SEARCH w\b/.test(r.detail));
  // Waiting (WHERE), priority frames waiting and running frames (the two ranked columns).
  assert.ok(frameSearches.length >= 3, rows.map((r) => r.detail).join('\n'));
  for (const r of frameSearches) {
    assert.match(
      byId.get(r.parent)?.detail ?? '',
      /CORRELATED SCALAR SUBQUERY/,
      rows.map((x) => x.detail).join('\n'),
    );
    assert.match(r.detail, /frames_lease_order/);
  }
  const ids = (await f.db.executeQuery<{ id: number }>(c)).rows.map((r) => r.id);
  // The statement puts the warm task first in its rank; withAffinity then moves older tasks nobody renders ahead.
  assert.equal(ids[0], warm);
});

test('the batch claim looks its frames up by id, never walks the waiting frames (SQLite plan)', async (t) => {
  if (f.farm.server.farm.store.dialect !== 'sqlite') {
    t.skip(
      'plan shape checked on SQLite; on PostgreSQL the id list is an InitPlan probed through the primary key',
    );
    return;
  }
  const taskId = await submitTask(f.user, { frames: '1-20[1]' });
  const c = claimFramesQuery(f.db, 'sqlite', taskId, 'plan-node', Date.now(), 60_000, 4).compile();
  const plan = await f.db.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]),
  );
  const details = plan.rows.map((r) => r.detail);
  // The UPDATE's own frames access: the first step of the plan.
  assert.match(details[0]!, /^SEARCH frames USING INTEGER PRIMARY KEY/, details.join('\n'));
  assert.ok(!details.some((d) => /frames_state_expiry|SCAN frames/.test(d)), details.join('\n'));
});
