/**
 * The render node's side of the node API (`/api/openfarm/workers/…` on the
 * farm). Authenticated with the node's own bearer token. A report answered
 * with 7006 (LEASE_LOST) throws {@link LeaseLostError}: the node must kill that
 * render. Network errors and 5xx are retried with backoff: by the poll loop
 * for polls, and here for the log and the reports that carry a finished frame
 * (outputs, thumbnail, complete, fail), so a farm restarting or a proxy hiccup while a
 * frame ends does not throw the render away.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  ApiError,
  ERRORS,
  NODE_PATHS,
  type NodeFailBody,
  type NodeLease,
  type NodeLeaseBody,
  type NodeLeaseJob,
  type NodeLogBody,
  type NodePollAnswer,
  type NodePollBody,
  type NodeProgressBody,
  type NodeRegisterAnswer,
  type NodeRegisterBody,
  nodePollAnswer,
  nodeRegisterAnswer,
} from '@openfarm/protocol';
import type { StagedInput } from '../staging/stage-inputs.js';

export { NODE_PATHS } from '@openfarm/protocol';

const LEASE_LOST = ERRORS.LEASE_LOST.code;
const TOKEN_INVALID = ERRORS.WORKER_TOKEN_INVALID.code;

/** How long a report carrying a finished frame is tried again while the farm cannot take it. */
const REPORT_RETRY_MS = 60_000;

function jsonInit(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The farm took the frame back (stale epoch, stopped, re-queued): the render must stop. */
export class LeaseLostError extends ApiError {
  constructor(readonly frameId: number) {
    super(ERRORS.LEASE_LOST.code, { message: `the farm took frame ${frameId} back (stale lease)` });
    this.name = 'LeaseLostError';
    this.message = this.errorMessage;
  }
}

/**
 * An answer of the farm other than success, with its catalogue code (0 when the
 * answer was not an envelope) and HTTP status; `errorMessage` is the farm's own words.
 */
export class NodeApiError extends ApiError {
  constructor(
    path: string,
    readonly status: number,
    code: number,
    message: string,
  ) {
    super(code, { message, path });
    this.name = 'NodeApiError';
    this.message = `${path}: ${status} ${code} ${message}`;
  }
}

export interface LeaseRef {
  readonly frameId: number;
  readonly epoch: number;
}

/** What `parsed` needs of a contract schema (its zod `safeParse`). */
interface AnswerSchema<T> {
  safeParse(
    data: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> } };
}

// The farm's answers are the wire contract's (@openfarm/protocol node-wire.ts), parsed on arrival.
export type LeaseJob = NodeLeaseJob;
export type WireLease = NodeLease;
export type PollAnswer = NodePollAnswer;
export type Registration = NodeRegisterAnswer;

export interface NodeCapabilities {
  readonly os: string;
  readonly cores: number;
  readonly ramMb: number;
  readonly gpus: number;
  readonly slots: number;
  readonly platform: number | null;
  readonly renderers: ReadonlyArray<{ cgName: string; version: string }>;
  readonly hardwareConfigIds: readonly number[];
  readonly agentVersion: string;
}

interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

export class NodeApi {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  /**
   * Send a report again after a network error or a 5xx, waiting 0.5 s, 1 s, 2 s … (at most 10 s)
   * for up to `REPORT_RETRY_MS` in all; longer, and the farm has taken the lease back anyway.
   * `init` is called for each attempt (a request body can be read only once).
   */
  private async report<T>(path: string, init: () => RequestInit, lease: LeaseRef): Promise<T> {
    const giveUpAt = Date.now() + REPORT_RETRY_MS;
    for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
      try {
        return await this.request<T>(path, init(), lease);
      } catch (err) {
        const retryable = err instanceof NodeApiError ? err.status >= 500 : !(err instanceof LeaseLostError);
        if (!retryable || Date.now() + wait > giveUpAt) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async request<T>(path: string, init: RequestInit, lease?: LeaseRef): Promise<T> {
    const res = await fetch(this.base + path, {
      ...init,
      headers: { authorization: `Bearer ${this.token}`, ...(init.headers as Record<string, string>) },
    });
    const text = await res.text();
    let env: Envelope<T>;
    try {
      env = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new NodeApiError(path, res.status, 0, text.slice(0, 200));
    }
    if (env.code === 200) return env.data;
    if (env.code === LEASE_LOST && lease !== undefined) throw new LeaseLostError(lease.frameId);
    if (env.code === TOKEN_INVALID)
      throw new NodeApiError(path, res.status, env.code, 'the farm does not accept this node token');
    throw new NodeApiError(path, res.status, env.code, env.message);
  }

  private post<T>(path: string, body: unknown, lease?: LeaseRef, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { ...jsonInit(body), signal }, lease);
  }

  async register(caps: NodeCapabilities): Promise<Registration> {
    const body: NodeRegisterBody = {
      ...caps,
      renderers: caps.renderers.map((r) => ({ cgName: r.cgName, version: r.version })),
      hardwareConfigIds: [...caps.hardwareConfigIds],
    };
    return this.parsed(NODE_PATHS.register, nodeRegisterAnswer, await this.post(NODE_PATHS.register, body));
  }

  /**
   * The long poll; `signal` ends it early (the node is stopping). `warmTaskIds`: tasks an idle
   * warm renderer holds open, whose frames the farm then prefers to give this node.
   */
  async poll(
    running: readonly LeaseRef[],
    freeSlots: number,
    waitMs: number,
    signal?: AbortSignal,
    warmTaskIds: readonly number[] = [],
  ): Promise<PollAnswer> {
    const body: NodePollBody = {
      running: running.map(ref),
      freeSlots,
      waitMs,
      warmTaskIds: [...warmTaskIds],
    };
    return this.parsed(
      NODE_PATHS.poll,
      nodePollAnswer,
      await this.post(NODE_PATHS.poll, body, undefined, signal),
    );
  }

  /** An answer checked against the wire contract: a farm speaking another one is named, not half-read. */
  private parsed<T>(path: string, schema: AnswerSchema<T>, data: unknown): T {
    const r = schema.safeParse(data);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    throw new NodeApiError(
      path,
      200,
      0,
      `the farm's answer does not match this node's contract (${issue?.path.map(String).join('.') || 'answer'}: ${issue?.message})`,
    );
  }

  async progress(lease: LeaseRef, progress: number): Promise<void> {
    await this.post(NODE_PATHS.progress, { ...ref(lease), progress } satisfies NodeProgressBody, lease);
  }

  /** A chunk of the frame's log; retried like the final reports, so a farm hiccup costs no lines. */
  async log(lease: LeaseRef, lines: readonly string[]): Promise<void> {
    await this.report(
      NODE_PATHS.log,
      () => jsonInit({ ...ref(lease), lines: [...lines] } satisfies NodeLogBody),
      lease,
    );
  }

  async complete(lease: LeaseRef): Promise<void> {
    await this.report(NODE_PATHS.complete, () => jsonInit(ref(lease) satisfies NodeLeaseBody), lease);
  }

  async fail(lease: LeaseRef, error: string): Promise<void> {
    await this.report(
      NODE_PATHS.fail,
      () => jsonInit({ ...ref(lease), error: error.slice(0, 16_000) } satisfies NodeFailBody),
      lease,
    );
  }

  /** Upload a finished output file under `name` (relative to the task's output folder). */
  uploadOutput(lease: LeaseRef, name: string, file: string, sha256: string): Promise<{ path: string }> {
    return this.putFile(NODE_PATHS.output, lease, file, sha256, { name }, 'application/octet-stream');
  }

  uploadThumbnail(lease: LeaseRef, file: string, sha256: string): Promise<{ path: string }> {
    return this.putFile(NODE_PATHS.thumbnail, lease, file, sha256, {}, 'image/jpeg');
  }

  private async putFile(
    path: string,
    lease: LeaseRef,
    file: string,
    sha256: string,
    extra: Record<string, string>,
    type: string,
  ): Promise<{ path: string }> {
    const size = (await stat(file)).size;
    const query = new URLSearchParams({
      frameId: String(lease.frameId),
      epoch: String(lease.epoch),
      sha256,
      size: String(size),
      ...extra,
    });
    return this.report(
      `${path}?${query}`,
      () =>
        ({
          method: 'PUT',
          headers: { 'content-type': type, 'content-length': String(size) },
          body: Readable.toWeb(createReadStream(file)) as ReadableStream,
          duplex: 'half',
        }) as RequestInit,
      lease,
    );
  }

  /** Download an input blob to `tmpPath` (the content cache checks its hash). */
  async downloadBlob(input: StagedInput, tmpPath: string): Promise<void> {
    const path = `${NODE_PATHS.blob}/${input.sha256}/${input.size}`;
    const res = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok || res.body === null) {
      const text = await res.text();
      throw new NodeApiError(
        path,
        res.status,
        0,
        `cannot download ${input.serverPath}: ${text.slice(0, 200)}`,
      );
    }
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(tmpPath));
  }
}

function ref(l: LeaseRef): LeaseRef {
  return { frameId: l.frameId, epoch: l.epoch };
}
