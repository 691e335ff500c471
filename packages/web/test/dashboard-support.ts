/**
 * A farm with the dashboard for the dashboard's tests and bench: started on
 * 127.0.0.1 with the transfer, scheduler and dashboard plugins, plus helpers
 * that sign in the way a browser does and that write tasks and frames
 * straight into the store (for tests of the pages, not of rendering).
 */
import { FrameStatus } from '@openfarm/protocol';
import {
  allocateIds,
  configStoragePlugin,
  createServer,
  type Database,
  type DashboardOptions,
  dashboardPlugin,
  type FarmServer,
  type SchedulerPolicy,
  schedulerPlugin,
  transferPlugin,
} from '@openfarm/server';
import type { Kysely } from 'kysely';
import { postgresStore } from '../../server/test/support/farm.js';

/**
 * With OPENFARM_TEST_POSTGRES_URL set (the runner's PostgreSQL pass), the farm gets a fresh
 * PostgreSQL database instead of SQLite (the server tests' own helper), dropped on close, so the
 * pages' queries run on both stores.
 */
export async function createDashboardFarm(
  dataDir: string,
  policy: Partial<SchedulerPolicy> = {},
  dashboard: DashboardOptions = {},
): Promise<FarmServer> {
  const postgres = await postgresStore();
  const server = await createServer({
    dataDir,
    ...(postgres !== undefined ? { store: postgres.store } : {}),
    logLevel: 'silent',
    plugins: [
      transferPlugin(),
      configStoragePlugin(),
      schedulerPlugin({ policy }),
      dashboardPlugin(dashboard),
    ],
  });
  if (postgres === undefined) return server;
  return {
    ...server,
    async close() {
      await server.close();
      await postgres.drop();
    },
  };
}

export interface SeedTask {
  scene?: string;
  project?: string;
  status?: number;
  /** Frame states, one per frame; default none. */
  frames?: readonly number[];
  submitted?: boolean;
}

/** A top-level task with frames, written directly; returns its id. */
export async function seedTask(db: Kysely<Database>, userId: number, t: SeedTask = {}): Promise<number> {
  const id = await allocateIds(db, 'tasks');
  const now = Date.now();
  const scene = t.scene ?? 'shot.blend';
  await db
    .insertInto('tasks')
    .values({
      id,
      user_id: userId,
      alias: `2A${id}`,
      status: t.status ?? 0,
      platform: 2,
      task_user_level: 50,
      scene_name: scene,
      project_name: t.project ?? '',
      output_file_name: `${id}_${scene.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]/g, '_')}`,
      submit_date: t.submitted === false ? null : now,
      start_time: now - 60_000,
      created_at: now,
    })
    .execute();
  const states = t.frames ?? [];
  if (states.length > 0) {
    const first = await allocateIds(db, 'frames', states.length);
    for (let i = 0; i < states.length; i += 500) {
      await db
        .insertInto('frames')
        .values(
          states.slice(i, i + 500).map((state, j) => {
            const n = i + j + 1;
            const ended = state === FrameStatus.DONE || state === FrameStatus.FAILED;
            return {
              id: first + i + j,
              task_id: id,
              user_id: userId,
              frame_index: String(n),
              frame_numbers: JSON.stringify([n]),
              chunk_index: i + j,
              frame_type: 5,
              state,
              attempt: state === FrameStatus.WAITING ? 0 : 1,
              started_at: state === FrameStatus.WAITING ? null : now - 30_000,
              ended_at: ended ? now - 20_000 : null,
              node_name: state === FrameStatus.WAITING ? null : 'node-1',
              created_at: now,
              updated_at: now,
            };
          }),
        )
        .execute();
    }
  }
  return id;
}

/** The session cookie (`name=value`) out of a sign-in answer. */
export function sessionCookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join('\n') : (setCookie ?? '');
  const m = /(openfarm_session=[^;]+)/.exec(header);
  if (m === null) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return m[1]!;
}
