/**
 * The tenant attack tests' farm: the real server with transfer, config storage
 * and scheduler sharing one blob store, signed user clients that also speak the
 * byte routes, and render node clients that upload outputs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { NODE_PATHS, TRANSFER_PATHS } from '@openfarm/protocol';
import {
  type BlobKey,
  type BlobStore,
  configStoragePlugin,
  createWorker,
  type FarmPlugin,
  schedulerPlugin,
  transferPlugin,
} from '@openfarm/server';
import { LocalBlobStore } from '../../src/blob/index.js';
import { NodeClient, submitTask, type WireLease } from '../scheduler-support.js';
import { Client, startTestFarm, type TestFarm } from '../support/farm.js';

export function keyOf(buf: Buffer): BlobKey {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

/** A blob batch body (see blob-batch.ts): each blob framed by its claimed key. */
export function batchOf(blobs: ReadonlyArray<{ key: BlobKey; bytes: Buffer }>): Buffer {
  return Buffer.concat(
    blobs.flatMap(({ key, bytes }) => [
      Buffer.from(key.sha256 + String(key.size).padStart(16, '0'), 'latin1'),
      bytes,
    ]),
  );
}

export interface Answer {
  status: number;
  code: number;
  message: string;
  data: unknown;
}

async function answerOf(res: Response): Promise<Answer> {
  const env = (await res.json()) as { code: number; message: string; data: unknown };
  return { status: res.status, code: env.code, message: env.message, data: env.data };
}

/** A signed user who also uses the byte routes (bearer token from the transfer token route). */
export class TenantClient extends Client {
  private token: string | undefined;

  async bearer(): Promise<string> {
    this.token ??= (await this.data<{ token: string }>(TRANSFER_PATHS.token)).token;
    return this.token;
  }

  async put(path: string, body: Buffer): Promise<Answer> {
    const res = await fetch(this.farm.url + path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await this.bearer()}`, 'content-type': 'application/octet-stream' },
      body,
    });
    return answerOf(res);
  }

  async get(path: string): Promise<Response> {
    return fetch(this.farm.url + path, { headers: { authorization: `Bearer ${await this.bearer()}` } });
  }

  /** POST a signed JSON call and return the answer with its message. */
  async post(path: string, body: unknown): Promise<Answer> {
    const r = await this.call(path, body);
    return { status: r.status, code: r.envelope.code, message: r.envelope.message, data: r.envelope.data };
  }

  /** Upload a file the proper way (whole PUT, then a manifest entry). */
  async upload(storage: 'input' | 'output' | 'config', path: string, bytes: Buffer): Promise<void> {
    const key = keyOf(bytes);
    const put = await this.put(`/api/openfarm/transfer/blobs/${key.sha256}/${key.size}`, bytes);
    if (put.code !== 200) throw new Error(`upload of ${path}: ${JSON.stringify(put)}`);
    await this.data(TRANSFER_PATHS.manifest, { storage, entries: [{ path, ...key, mtime: 1 }] });
  }

  /** A file's bytes from a storage, or the HTTP status when refused. */
  async read(storage: 'input' | 'output' | 'config', path: string): Promise<Buffer | number> {
    const res = await this.get(`/api/openfarm/transfer/files/${storage}${path}`);
    const body = Buffer.from(await res.arrayBuffer());
    return res.status === 200 ? body : res.status;
  }
}

/**
 * A render node that also uploads outputs and thumbnails. Each has a Blender
 * version of its own, so it is handed only the tasks made for it (leaseFrameOf)
 * and never the frames other tests left waiting.
 */
export class TenantNode extends NodeClient {
  constructor(
    url: string,
    token: string,
    name: string,
    readonly blenderVersion: string,
  ) {
    super(url, token, name);
  }

  async upload(
    route: 'output' | 'thumbnail',
    lease: { frameId: number; epoch: number },
    key: BlobKey,
    bytes: Buffer,
    name = 'frame_0001.png',
  ): Promise<Answer> {
    const q = new URLSearchParams({
      frameId: String(lease.frameId),
      epoch: String(lease.epoch),
      sha256: key.sha256,
      size: String(key.size),
      ...(route === 'output' ? { name } : {}),
    });
    const res = await fetch(`${this.url}${NODE_PATHS[route]}?${q}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': route === 'output' ? 'application/octet-stream' : 'image/jpeg',
      },
      body: bytes,
    });
    return answerOf(res);
  }
}

/**
 * A blob store that stores an object once and, as BlobStore.put allows, only
 * reads the stream of an object it has: a backend that saves a round trip (an
 * S3 store checking the key first) may behave so. The farm must stay safe on it.
 */
export class SkipExistingStore implements BlobStore {
  constructor(private readonly inner: BlobStore) {}
  has(key: BlobKey) {
    return this.inner.has(key);
  }
  stat(key: BlobKey) {
    return this.inner.stat(key);
  }
  async put(key: BlobKey, source: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    if (!(await this.inner.has(key))) return this.inner.put(key, source);
    if (!(source instanceof Uint8Array)) for await (const _ of source);
  }
  async putFile(key: BlobKey, filePath: string, digest?: BlobKey): Promise<void> {
    if (!(await this.inner.has(key))) return this.inner.putFile(key, filePath, digest);
  }
  get(key: BlobKey, range?: { offset: number; length?: number }) {
    return this.inner.get(key, range);
  }
  delete(key: BlobKey) {
    return this.inner.delete(key);
  }
}

export interface TenantFarm {
  readonly farm: TestFarm;
  user(
    name: string,
    options?: { subOf?: number; shareMainCapital?: boolean },
  ): Promise<TenantClient & { userId: number }>;
  node(name: string): Promise<TenantNode>;
  /** Submit a one-frame Blender task of `user` and lease its frame to `node`. */
  leaseFrameOf(user: Client, node: TenantNode): Promise<{ taskId: number; lease: WireLease }>;
  close(): Promise<void>;
}

export async function startTenantFarm(o: { store?: 'local' | 'skip-existing' } = {}): Promise<TenantFarm> {
  const wire: FarmPlugin = async (app) => {
    const local = await LocalBlobStore.open(join(app.farm.dataDir as string, 'blobs'));
    app.addHook('onClose', async () => local.close());
    const blobs = o.store === 'skip-existing' ? new SkipExistingStore(local) : local;
    await transferPlugin({ blobs })(app);
    await configStoragePlugin({ blobs })(app);
    await schedulerPlugin({ blobs, policy: { maxPollMs: 200 } })(app);
  };
  const farm = await startTestFarm({ plugins: [wire] });
  const db = farm.server.farm.store.db;
  let nodes = 0;
  return {
    farm,
    async user(name, options) {
      const u = await farm.addUser(name, options);
      return Object.assign(new TenantClient(farm, u), { userId: u.userId });
    },
    async node(name) {
      const w = await createWorker(db, name);
      const n = new TenantNode(farm.url, w.token, name, `90.${++nodes}`);
      await n.register([{ cgName: 'Blender', version: n.blenderVersion }]);
      return n;
    },
    async leaseFrameOf(user, node) {
      const taskId = await submitTask(user, { frames: '1', cgVersion: node.blenderVersion });
      const { leases } = await node.poll([], 1, 0);
      const lease = leases.find((l) => l.job.taskId === taskId);
      if (lease === undefined) throw new Error(`node ${node.name} got no frame of task ${taskId}`);
      return { taskId, lease };
    },
    close: () => farm.close(),
  };
}

/** Random bytes of `size`, a new blob nobody stored. */
export const fresh = (size: number): Buffer => randomBytes(size);
