/**
 * `GET /api/openfarm/transfer/files/<storage>/<server path>[?userId=<sub-account>]`: a file's bytes,
 * whole or one Range, with its SHA-256 as a strong ETag so a client can resume
 * (`If-Range`) and verify what it got.
 */
import { ApiError } from '@openfarm/protocol';
import type { FastifyInstance } from 'fastify';
import { userOf } from '../auth/signed-routes.js';
import type { BlobStore } from '../blob/index.js';
import { parseRange } from './http-range.js';
import { getManifestEntry } from './manifest.js';
import { TRANSFER_PATHS } from './paths.js';
import { storageSchema } from './schemas.js';
import { readableOwnerId } from './storage.js';
import { requireTransferAuth, type TransferTokens } from './transfer-tokens.js';

export function registerDownloadRoute(
  scope: FastifyInstance,
  blobs: BlobStore,
  tokens: TransferTokens,
): void {
  scope.get<{ Params: { storage: string; '*': string } }>(
    TRANSFER_PATHS.files,
    { preHandler: requireTransferAuth(scope, tokens) },
    async (request, reply) => {
      const storage = storageSchema.safeParse(request.params.storage);
      if (!storage.success) {
        throw ApiError.of('PARAMETER_INVALID', {
          detail: { field: 'storage', reason: 'input, output or config' },
        });
      }
      const user = userOf(request);
      const path = `/${request.params['*']}`;
      const requested = (request.query as Record<string, unknown> | undefined)?.userId;
      if (requested !== undefined && (typeof requested !== 'string' || !/^[1-9]\d{0,15}$/.test(requested))) {
        throw ApiError.of('PARAMETER_INVALID', { detail: { field: 'userId', reason: 'must be a user id' } });
      }
      const db = scope.farm.store.db;
      const owner = await readableOwnerId(
        db,
        user,
        storage.data,
        requested === undefined ? undefined : Number(requested),
      );
      const entry = await getManifestEntry(db, owner, storage.data, path);
      if (entry === undefined) throw ApiError.of('FILE_NOT_FOUND', { detail: `${storage.data}:${path}` });
      const etag = `"${entry.sha256}"`;
      reply
        .header('etag', etag)
        .header('accept-ranges', 'bytes')
        .header('last-modified', new Date(entry.mtime).toUTCString())
        .header('x-openfarm-sha256', entry.sha256)
        .type('application/octet-stream');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      const ifRange = request.headers['if-range'];
      const range =
        ifRange === undefined || ifRange === etag
          ? parseRange(request.headers.range, entry.size)
          : ({ kind: 'full' } as const);
      const key = { sha256: entry.sha256, size: entry.size };
      if (range.kind === 'unsatisfiable') {
        return reply.code(416).header('content-range', `bytes */${entry.size}`).send();
      }
      if (range.kind === 'partial') {
        const length = range.end - range.start + 1;
        const body = await blobs.get(key, { offset: range.start, length });
        return reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${entry.size}`)
          .header('content-length', length)
          .send(body);
      }
      return reply.header('content-length', entry.size).send(await blobs.get(key));
    },
  );
}
