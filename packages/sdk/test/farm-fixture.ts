/**
 * A real openfarm server on a loopback port with a fresh data directory and
 * one user, for the SDK's integration tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RayvisionAPI, type RayvisionAPIOptions } from '@openfarm/sdk';
import {
  createUser,
  createWorker,
  type FarmPlugin,
  type NewUser,
  type RunningFarmServer,
  schedulerPlugin,
  startServer,
} from '@openfarm/server';

export interface TestFarm {
  server: RunningFarmServer;
  /** `127.0.0.1:<port>`, the SDK's `domain`. */
  domain: string;
  user: NewUser;
  /** Path of every request the server received, in order (a real server hook, not a mock). */
  requests: string[];
  /** A client for `user` (or other credentials), platform 2, fast retries. */
  client(options?: RayvisionAPIOptions): RayvisionAPI;
  /** Another account on the same farm. */
  addUser(name: string): Promise<NewUser>;
  /**
   * A render node registering with the renderers it has, as `openfarm worker` does on start:
   * the farm's software catalogue lists what its live nodes render.
   */
  addRenderNode(name: string, renderers: ReadonlyArray<{ cgName: string; version: string }>): Promise<void>;
  close(): Promise<void>;
}

export async function startFarm(options: { plugins?: FarmPlugin[] } = {}): Promise<TestFarm> {
  const dataDir = await mkdtemp(join(tmpdir(), 'openfarm-sdk-farm-'));
  const requests: string[] = [];
  const recordRequests: FarmPlugin = (app) => {
    app.addHook('onRequest', async (request) => {
      requests.push(request.url);
    });
  };
  const server = await startServer({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    plugins: [recordRequests, schedulerPlugin(), ...(options.plugins ?? [])],
  });
  const domain = new URL(server.url).host;
  const user = await createUser(server.farm.store.db, 'artist');
  return {
    server,
    domain,
    user,
    requests,
    client: (overrides = {}) =>
      new RayvisionAPI({
        accessId: user.accessId,
        accessKey: user.accessKey,
        domain,
        protocol: 'http',
        platform: '2',
        retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
        ...overrides,
      }),
    addUser: (name) => createUser(server.farm.store.db, name),
    async addRenderNode(name, renderers) {
      const { token } = await createWorker(server.farm.store.db, name);
      const res = await fetch(`${server.url}/api/openfarm/workers/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ os: 'linux', cores: 2, ramMb: 4096, slots: 1, renderers }),
      });
      if (!res.ok) throw new Error(`registering render node ${name} answered ${res.status}`);
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Blender task.json as the analyzer writes it, rendering `frames` on platform 2. */
export function blenderTaskJson(frames = '1-3[1]', overrides: Record<string, string> = {}) {
  return {
    task_info: {
      task_id: '',
      user_id: '',
      project_name: '',
      project_id: '',
      cg_id: '2007',
      platform: '2',
      channel: '4',
      os_name: '0',
      ram: '64',
      input_cg_file: '/projects/shot/shot.blend',
      frames_per_task: '1',
      pre_frames: '000',
      stop_after_test: '2',
      hardwareConfigId: '',
      graphics_cards_num: '2',
      ...overrides,
    },
    software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
    scene_info: {
      common: {
        frames,
        width: '640',
        height: '480',
        Render_Format: 'PNG',
        scene_name: ['Scene'],
        camera_name: 'Camera',
      },
    },
  };
}

export const CPU_64GB = { model: 'Default', ram: '64GB', gpuNum: null } as const;
