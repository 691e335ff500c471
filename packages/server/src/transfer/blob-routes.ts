/**
 * Routes that move blob bytes in: the batch "missing?" question, whole small
 * blobs, resumable uploads. "Missing" means "not held by this user" (see
 * held-blobs.ts): the answers never depend on what other users stored.
 */
import type { Readable } from 'node:stream';
import { ApiError, okEnvelope } from '@openfarm/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { registerSignedRoute, userOf } from '../auth/signed-routes.js';
import { blobKeyText } from '../blob/blob-key-text.js';
import { BatchReader } from './blob-batch.js';
import { heldBlobs } from './held-blobs.js';
import { TRANSFER_PATHS } from './paths.js';
import { blobKeySchema, emptyBody, missingBody, uploadCompleteBody } from './schemas.js';
import { requireTransferAuth, type TransferTokens } from './transfer-tokens.js';
import type { UploadSessions } from './upload-sessions.js';

function rawBody(request: FastifyRequest): Readable {
  const body = request.body as Readable | undefined;
  if (body === undefined || typeof body.pipe !== 'function') {
    throw ApiError.of('ILLEGAL_PROTOCOL', { detail: 'send the bytes as application/octet-stream' });
  }
  return body;
}

function intParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw ApiError.of('PARAMETER_INVALID', {
      detail: { field: name, reason: 'must be a non-negative integer' },
    });
  }
  return Number(value);
}

/** `scope` must carry the pass-through parser for application/octet-stream (see plugin.ts). */
export function registerBlobRoutes(
  scope: FastifyInstance,
  sessions: UploadSessions,
  tokens: TransferTokens,
  maxRequestBytes: number,
): void {
  registerSignedRoute(scope, {
    path: TRANSFER_PATHS.token,
    schema: emptyBody,
    handler: async (user) => tokens.issue(user.id),
  });

  registerSignedRoute(scope, {
    path: TRANSFER_PATHS.missing,
    schema: missingBody,
    handler: async (user, body) => {
      const held = await heldBlobs(scope.farm.store.db, user, body.blobs);
      const missing: number[] = [];
      body.blobs.forEach((k, i) => {
        if (!held.has(blobKeyText(k))) missing.push(i);
      });
      return { missing };
    },
  });

  registerSignedRoute(scope, {
    path: TRANSFER_PATHS.uploads,
    schema: blobKeySchema,
    handler: async (user, key) => sessions.begin(user, key),
  });

  registerSignedRoute(scope, {
    path: TRANSFER_PATHS.uploadComplete,
    schema: uploadCompleteBody,
    handler: async (user, body) => sessions.complete(user, body.uploadId),
  });

  const streamed = { preHandler: requireTransferAuth(scope, tokens), bodyLimit: maxRequestBytes };

  scope.put<{ Params: { sha256: string; size: string } }>(
    TRANSFER_PATHS.blob,
    streamed,
    async (request, reply) => {
      const parsed = blobKeySchema.safeParse({
        sha256: request.params.sha256,
        size: intParam(request.params.size, 'size'),
      });
      if (!parsed.success)
        throw ApiError.of('PARAMETER_INVALID', {
          detail: { field: 'sha256', reason: 'must be 64 lowercase hex digits' },
        });
      await sessions.putWhole(userOf(request), parsed.data, rawBody(request));
      return reply.send(okEnvelope(parsed.data, request.id));
    },
  );

  scope.put(TRANSFER_PATHS.blobBatch, streamed, async (request, reply) => {
    const stored = await sessions.putBatch(userOf(request), new BatchReader(rawBody(request)));
    return reply.send(okEnvelope({ stored }, request.id));
  });

  scope.put<{ Params: { uploadId: string; offset: string } }>(
    TRANSFER_PATHS.uploadChunk,
    streamed,
    async (request, reply) => {
      const offset = intParam(request.params.offset, 'offset');
      const next = await sessions.write(userOf(request), request.params.uploadId, offset, rawBody(request));
      return reply.send(okEnvelope({ offset: next }, request.id));
    },
  );
}
