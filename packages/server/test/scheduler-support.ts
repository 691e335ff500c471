/**
 * Scheduler tests' farm: the real server on 127.0.0.1 with the scheduler
 * plugin, a signed user client that submits tasks through the API, and render
 * node clients that speak the node API with their tokens.
 */
import { FrameStatus } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import {
  createWorker,
  type Database,
  type Scheduler,
  type SchedulerPolicy,
  schedulerPlugin,
} from '@openfarm/server';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';

export interface SchedulerFarm {
  readonly farm: TestFarm;
  readonly scheduler: Scheduler;
  readonly user: Client;
  readonly userId: number;
  readonly db: Kysely<Database>;
  node(name: string, renderers?: ReadonlyArray<{ cgName: string; version: string }>): Promise<NodeClient>;
  close(): Promise<void>;
}

export async function startSchedulerFarm(policy: Partial<SchedulerPolicy> = {}): Promise<SchedulerFarm> {
  let scheduler: Scheduler | undefined;
  const farm = await startTestFarm({
    plugins: [schedulerPlugin({ policy, onScheduler: (s) => (scheduler = s) })],
  });
  const u = await farm.addUser('artist');
  const db = farm.server.farm.store.db;
  return {
    db,
    farm,
    scheduler: scheduler!,
    user: new Client(farm, u),
    userId: u.userId,
    async node(name, renderers = [{ cgName: 'Blender', version: '3.4.1' }]) {
      const w = await createWorker(db, name);
      const n = new NodeClient(farm.url, w.token, name);
      await n.register(renderers);
      return n;
    },
    close: () => farm.close(),
  };
}

export interface TaskOptions {
  frames?: string;
  cgName?: string;
  cgId?: string;
  cgVersion?: string;
  framesPerTask?: number;
  preFrames?: string;
  stopAfterTest?: '1' | '2';
  jobStopTime?: number;
  taskStopTime?: number;
  taskUserLevel?: number;
  scenes?: string[];
}

/** createTask → taskJsonFile (task.json) → submitTask, as a client does. Returns the task id. */
export async function submitTask(user: Client, o: TaskOptions = {}): Promise<number> {
  const created = await user.data<{ taskIdList: number[] }>('/api/render/submit/createTask', {
    count: 1,
    taskUserLevel: o.taskUserLevel ?? 50,
  });
  const taskId = created.taskIdList[0]!;
  const taskJson = {
    task_info: {
      task_id: String(taskId),
      cg_id: o.cgId ?? '2007',
      input_cg_file: 'D:/projects/demo/shot.blend',
      frames_per_task: String(o.framesPerTask ?? 1),
      pre_frames: o.preFrames ?? '000',
      stop_after_test: o.stopAfterTest ?? '2',
      job_stop_time: String(o.jobStopTime ?? 259200),
      task_stop_time: String(o.taskStopTime ?? 0),
      platform: '2',
    },
    software_config: { cg_name: o.cgName ?? 'Blender', cg_version: o.cgVersion ?? '3.4', plugins: {} },
    scene_info: {
      common: {
        frames: o.frames ?? '1-4[1]',
        width: '64',
        height: '64',
        Render_Format: 'PNG',
        scene_name: o.scenes ?? ['Scene'],
        camera_name: 'Camera',
        Output_path: '//render/',
      },
    },
  };
  await user.data('/api/render/submit/taskJsonFile', {
    taskId,
    fileName: 'task.json',
    content: JSON.stringify(taskJson),
  });
  await user.data('/api/render/submit/task', { taskId });
  return taskId;
}

export interface WireLease {
  frameId: number;
  epoch: number;
  attempt: number;
  frameIndex: string;
  frameNumbers: number[];
  frameType: number;
  job: { taskId: number; layer: string; scenePath: string; outputFolder: string };
}

export interface Answer<T> {
  status: number;
  code: number;
  data: T;
}

/** A render node speaking the node API over HTTP. */
export class NodeClient {
  constructor(
    readonly url: string,
    readonly token: string,
    readonly name: string,
  ) {}

  async call<T>(path: string, body: unknown, token = this.token): Promise<Answer<T>> {
    const res = await fetch(this.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const env = (await res.json()) as { code: number; data: T };
    return { status: res.status, code: env.code, data: env.data };
  }

  register(renderers: ReadonlyArray<{ cgName: string; version: string }>): Promise<Answer<unknown>> {
    return this.call('/api/openfarm/workers/register', {
      os: 'linux',
      cores: 2,
      ramMb: 4096,
      slots: 1,
      renderers,
    });
  }

  async poll(
    running: ReadonlyArray<{ frameId: number; epoch: number }> = [],
    freeSlots = 1,
    waitMs = 0,
  ): Promise<{ leases: WireLease[]; cancel: number[] }> {
    const r = await this.call<{ leases: WireLease[]; cancel: number[] }>('/api/openfarm/workers/poll', {
      running,
      freeSlots,
      waitMs,
    });
    if (r.code !== 200) throw new Error(`poll answered ${r.code}`);
    return r.data;
  }

  complete(l: { frameId: number; epoch: number }): Promise<Answer<unknown>> {
    return this.call('/api/openfarm/workers/frames/complete', { frameId: l.frameId, epoch: l.epoch });
  }

  fail(
    l: { frameId: number; epoch: number },
    error = 'renderer exited with code 1',
  ): Promise<Answer<unknown>> {
    return this.call('/api/openfarm/workers/frames/fail', { frameId: l.frameId, epoch: l.epoch, error });
  }

  progress(l: { frameId: number; epoch: number }, progress: number): Promise<Answer<unknown>> {
    return this.call('/api/openfarm/workers/frames/progress', {
      frameId: l.frameId,
      epoch: l.epoch,
      progress,
    });
  }
}

export async function frameRows(f: SchedulerFarm, taskId: number) {
  return f.db.selectFrom('frames').selectAll().where('task_id', '=', taskId).orderBy('chunk_index').execute();
}

export async function taskStatus(f: SchedulerFarm, taskId: number): Promise<number> {
  const t = await f.db
    .selectFrom('tasks')
    .select('status')
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  return t.status;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const DONE = FrameStatus.DONE;
