/**
 * A real farm on 127.0.0.1 (port 0) with a temporary data directory, and a
 * client that signs requests exactly as the reference does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ENDPOINTS,
  type EndpointName,
  type Envelope,
  type ResponseOf,
  signHeaders,
} from '@openfarm/protocol';
import {
  createUser,
  type NewUser,
  openPostgresStore,
  type RunningFarmServer,
  type ServerOptions,
  type Store,
  startServer,
} from '@openfarm/server';
import pg from 'pg';

export interface TestFarm {
  server: RunningFarmServer;
  url: string;
  /** host:port, the domain clients sign. */
  host: string;
  dataDir: string;
  addUser(name: string, options?: Parameters<typeof createUser>[2]): Promise<NewUser>;
  close(): Promise<void>;
}

/**
 * With OPENFARM_TEST_POSTGRES_URL set (a server where the user may create
 * databases), each farm gets a fresh PostgreSQL database instead of SQLite,
 * so the same tests prove the store portable.
 */
export async function postgresStore(): Promise<{ store: Store; drop: () => Promise<void> } | undefined> {
  const url = process.env.OPENFARM_TEST_POSTGRES_URL;
  if (url === undefined || url === '') return undefined;
  const name = `openfarm_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    store: openPostgresStore(target.toString(), 4),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function startTestFarm(options: Partial<ServerOptions> = {}): Promise<TestFarm> {
  const dataDir = await mkdtemp(join(tmpdir(), 'openfarm-server-'));
  const pgStore = await postgresStore();
  const server = await startServer({
    dataDir,
    port: 0,
    logLevel: 'silent',
    ...(pgStore !== undefined ? { store: pgStore.store } : {}),
    ...options,
  });
  return {
    server,
    url: server.url,
    host: new URL(server.url).host,
    dataDir,
    addUser: (name, opts) => createUser(server.farm.store.db, name, opts),
    async close() {
      await server.close();
      await pgStore?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CallOptions {
  /** Override or add headers after signing (e.g. a tampered signature). */
  headers?: Record<string, string>;
  timestamp?: number;
  nonce?: string;
  platform?: string;
  /** Send this text instead of JSON.stringify(body) (the signature still covers `body`). */
  rawBody?: string;
  /** Sign with this key instead of the user's. */
  accessKey?: string;
}

export interface CallResult<T = unknown> {
  status: number;
  envelope: Envelope<T>;
}

export class Client {
  constructor(
    readonly farm: TestFarm,
    readonly user: Pick<NewUser, 'accessId' | 'accessKey'>,
  ) {}

  async call<T = unknown>(
    path: string,
    body: unknown = {},
    options: CallOptions = {},
  ): Promise<CallResult<T>> {
    const headers = signHeaders({
      accessId: this.user.accessId,
      accessKey: options.accessKey ?? this.user.accessKey,
      domain: this.farm.host,
      path,
      body,
      platform: options.platform ?? '2',
      ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
      ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    });
    const res = await fetch(`${this.farm.url}${path}`, {
      method: 'POST',
      headers: { ...headers, ...options.headers },
      body: options.rawBody ?? JSON.stringify(body),
    });
    return { status: res.status, envelope: (await res.json()) as Envelope<T> };
  }

  /**
   * Call a catalogue endpoint by name and return its `data`, checked against
   * the endpoint's response schema (so every answer the tests see is one the SDK accepts).
   */
  async api<N extends EndpointName>(
    name: N,
    body: unknown = {},
    options: CallOptions = {},
  ): Promise<ResponseOf<(typeof ENDPOINTS)[N]>> {
    const endpoint = ENDPOINTS[name];
    const data = await this.data(endpoint.path, body, options);
    const parsed = endpoint.response.safeParse(data);
    if (!parsed.success) throw new Error(`${name} answered data outside its schema: ${parsed.error.message}`);
    return data as ResponseOf<(typeof ENDPOINTS)[N]>;
  }

  /** Call a catalogue endpoint by name and return the whole envelope (for error cases). */
  callEndpoint(name: EndpointName, body: unknown = {}, options: CallOptions = {}): Promise<CallResult> {
    return this.call(ENDPOINTS[name].path, body, options);
  }

  /** Call and return `data`, failing the test with the envelope when the code is not 200. */
  async data<T = unknown>(path: string, body: unknown = {}, options: CallOptions = {}): Promise<T> {
    const { envelope } = await this.call<T>(path, body, options);
    if (envelope.code !== 200) throw new Error(`${path} answered ${envelope.code}: ${envelope.message}`);
    return envelope.data;
  }
}
