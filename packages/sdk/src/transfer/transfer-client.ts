/**
 * The wire side of the transfer engine: one object per RayvisionUpload or
 * RayvisionDownload, over the API's signed connection. JSON calls go through
 * `connection.post` (signed, retried); byte streams use fetch with a bearer
 * token from the farm, renewed before it expires or when it is refused.
 */
import { ApiError, ERRORS } from '@openfarm/protocol';
import type { Agent } from 'node:http';
import type { FetchLike } from '../client/proxy-agent.js';
import { type FileRange, putFileRange, putStream } from './http-put.js';
import {
  MAX_BATCH,
  type StorageName,
  TRANSFER_PATHS,
  transferBlobPath,
  transferFilePath,
  transferUploadChunkPath,
} from './transfer-paths.js';

/** What the transfer engine needs of RayvisionAPI's connection. */
export interface TransferConnection {
  /** `http(s)://host:port` */
  readonly origin: string;
  post(path: string, body?: object): Promise<unknown>;
  /** fetch through the client's proxy when one applies (client/proxy-agent.ts); the global fetch otherwise. */
  readonly fetch?: FetchLike;
  /** The node:http agent reaching `url` through the client's proxy, or undefined for a direct connection. */
  agentFor?(url: string): Agent | undefined;
  /** Strings the transfer log files mask (the client's access key). */
  readonly logSecrets?: readonly string[];
}

export interface BlobKey {
  sha256: string;
  size: number;
}

export interface ManifestEntry extends BlobKey {
  /** Absolute server path, `/D/proj/a.png`. */
  path: string;
  /** ms epoch */
  mtime: number;
}

export interface UploadState {
  uploadId?: string;
  offset: number;
  complete: boolean;
}

/**
 * A request body: chunks from a function (called again on a retry), or a range
 * of a local file, which is sent without allocating per piece.
 */
export type Body = (() => AsyncIterable<Uint8Array>) | FileRange;

/** Renew the token this long before the server would refuse it. */
const TOKEN_MARGIN_MS = 60_000;

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object')
    throw new ApiError(ERRORS.SDK_ERROR.code, { message: `${what}: unexpected answer` });
  return v as Record<string, unknown>;
}

export class TransferClient {
  private token: { value: string; expiresAt: number } | undefined;

  constructor(readonly connection: TransferConnection) {}

  private async bearer(renew = false): Promise<string> {
    if (renew || this.token === undefined || this.token.expiresAt - TOKEN_MARGIN_MS < Date.now()) {
      const t = asObject(await this.connection.post(TRANSFER_PATHS.token, {}), 'transfer token');
      this.token = { value: String(t.token), expiresAt: Number(t.expiresAt) };
    }
    return this.token.value;
  }

  /**
   * A byte-stream request with the bearer token; a refused token is renewed
   * once. `body` is a function so the retry gets a fresh stream. Uploads go
   * through node:http (see http-put.ts); downloads through fetch, whose
   * Response the download engine reads.
   */
  async raw(
    method: 'GET' | 'PUT',
    path: string,
    init: { headers?: Record<string, string>; body?: Body } = {},
  ): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        ...init.headers,
        authorization: `Bearer ${await this.bearer(attempt > 0)}`,
      };
      let response: Response;
      if (init.body !== undefined) {
        headers['content-type'] = 'application/octet-stream';
        const url = this.connection.origin + path;
        const answer =
          typeof init.body === 'function'
            ? await putStream(url, headers, init.body(), this.connection.agentFor?.(url))
            : await putFileRange(url, headers, init.body, this.connection.agentFor?.(url));
        response = new Response(answer.text, { status: answer.status });
      } else {
        response = await (this.connection.fetch ?? fetch)(this.connection.origin + path, { method, headers });
      }
      if (response.status === 401 && attempt === 0) {
        await response.body?.cancel();
        continue;
      }
      return response;
    }
  }

  /** The envelope's data of a byte-stream call, or its error as ApiError. */
  async rawJson(response: Response, path: string): Promise<Record<string, unknown>> {
    const text = await response.text();
    let envelope: { code?: unknown; message?: unknown; data?: unknown };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch {
      throw new ApiError(response.status >= 500 ? ERRORS.INTERNAL_ERROR.code : ERRORS.API_ERROR.code, {
        message: `HTTP ${response.status} without a JSON envelope: ${text.slice(0, 200)}`,
        path,
      });
    }
    if (envelope.code !== ERRORS.SUCCESS.code) {
      throw new ApiError(Number(envelope.code), {
        message: typeof envelope.message === 'string' ? envelope.message : `HTTP ${response.status}`,
        path,
        detail: envelope.data,
      });
    }
    return asObject(envelope.data, path);
  }

  /** Indices of `keys` the farm does not hold for this user. */
  async missing(keys: readonly BlobKey[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      const slice = keys.slice(i, i + MAX_BATCH).map((k) => ({ sha256: k.sha256, size: k.size }));
      const data = asObject(await this.connection.post(TRANSFER_PATHS.missing, { blobs: slice }), 'missing');
      for (const idx of data.missing as number[]) out.push(i + idx);
    }
    return out;
  }

  /** Send a whole (small) blob in one request. */
  async putBlob(key: BlobKey, body: Body): Promise<void> {
    const path = transferBlobPath(key.sha256, key.size);
    await this.rawJson(await this.raw('PUT', path, { body }), path);
  }

  /** Send several small blobs in one request; the farm verifies each on its own. */
  async putBatch(
    blobs: ReadonlyArray<{ key: BlobKey; body: () => AsyncIterable<Uint8Array> }>,
  ): Promise<void> {
    async function* framed(): AsyncGenerator<Uint8Array> {
      for (const b of blobs) {
        yield Buffer.from(b.key.sha256 + String(b.key.size).padStart(16, '0'), 'latin1');
        yield* b.body();
      }
    }
    const path = TRANSFER_PATHS.blobBatch;
    await this.rawJson(await this.raw('PUT', path, { body: framed }), path);
  }

  async beginUpload(key: BlobKey): Promise<UploadState> {
    const data = asObject(
      await this.connection.post(TRANSFER_PATHS.uploads, { sha256: key.sha256, size: key.size }),
      'upload',
    );
    return {
      ...(typeof data.uploadId === 'string' ? { uploadId: data.uploadId } : {}),
      offset: Number(data.offset),
      complete: data.complete === true,
    };
  }

  /** Append bytes at `offset`; returns the new committed offset. */
  async putChunk(uploadId: string, offset: number, body: Body): Promise<number> {
    const path = transferUploadChunkPath(uploadId, offset);
    return Number((await this.rawJson(await this.raw('PUT', path, { body }), path)).offset);
  }

  async completeUpload(uploadId: string): Promise<void> {
    await this.connection.post(TRANSFER_PATHS.uploadComplete, { uploadId });
  }

  async writeManifest(storage: StorageName, entries: readonly ManifestEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += MAX_BATCH) {
      await this.connection.post(TRANSFER_PATHS.manifest, {
        storage,
        entries: entries.slice(i, i + MAX_BATCH),
      });
    }
  }

  /** Every file under a folder of a storage (recursively), in path order; `userId` names a sub-account's output storage. */
  async list(storage: StorageName, prefix: string, userId?: number): Promise<ManifestEntry[]> {
    const out: ManifestEntry[] = [];
    let after: string | undefined;
    do {
      const body = {
        storage,
        prefix,
        limit: MAX_BATCH,
        ...(after !== undefined ? { after } : {}),
        ...(userId !== undefined ? { userId } : {}),
      };
      const page = asObject(await this.connection.post(TRANSFER_PATHS.list, body), 'list');
      for (const e of page.entries as ManifestEntry[]) out.push(e);
      after = typeof page.next === 'string' ? page.next : undefined;
    } while (after !== undefined);
    return out;
  }

  /** GET a file, from `offset` when resuming (If-Range keeps a changed file from being spliced). */
  async openFile(
    storage: StorageName,
    serverPath: string,
    resume?: { offset: number; sha256: string },
    userId?: number,
  ): Promise<Response> {
    const path = transferFilePath(storage, serverPath) + (userId !== undefined ? `?userId=${userId}` : '');
    const headers: Record<string, string> = {};
    if (resume !== undefined && resume.offset > 0) {
      headers.range = `bytes=${resume.offset}-`;
      headers['if-range'] = `"${resume.sha256}"`;
    }
    const response = await this.raw('GET', path, { headers });
    if (response.status !== 200 && response.status !== 206) await this.rawJson(response, path);
    return response;
  }
}
