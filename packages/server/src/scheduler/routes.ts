/**
 * The render node API. Every route authenticates the node by its token; every
 * frame report carries the lease's epoch and answers 409 LEASE_LOST (code
 * 7006) when the lease is no longer the node's — the node must then kill that
 * render. Outputs are stored through the blob store into the task owner's
 * output storage under `<taskId>_<sceneName>/…` and announced as frame events,
 * which realtime download follows.
 */
import type { Readable } from 'node:stream';
import {
  ApiError,
  FrameStatus,
  nodeFailBody as failBody,
  nodeLeaseBody as leaseBody,
  nodeLogBody as logBody,
  normalizeServerPath,
  okEnvelope,
  nodePollBody as pollBody,
  nodeProgressBody as progressBody,
  nodeRegisterBody as registerBody,
  type NodePollAnswer,
  type NodeRegisterAnswer,
  nodeUploadQuery as uploadQuery,
} from '@openfarm/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertBlobKey, type BlobKey, type BlobStore } from '../blob/index.js';
import { parseBody } from '../http/validation.js';
import { storeProven } from '../transfer/blob-proof.js';
import { recordHeldBlob } from '../transfer/held-blobs.js';
import { writeManifest } from '../transfer/index.js';
import { WORKER_PATHS } from './paths.js';
import type { LeaseRef, Scheduler } from './scheduler.js';
import { nodeMayReadBlob } from './sql/node-may-read-blob.js';
import { setThumbnail } from './sql/set-thumbnail.js';
import { recordRegistration } from './sql/workers.js';
import { nodeOfRequest, requireWorkerToken } from './worker-auth.js';

export interface SchedulerRouteDeps {
  readonly scheduler: Scheduler;
  readonly blobs: BlobStore;
}

// The request bodies and the answers are the render-node wire contract in @openfarm/protocol (node-wire.ts).

function leaseLost(ref: LeaseRef): ApiError {
  return ApiError.of('LEASE_LOST', { detail: `frame ${ref.frameId}, epoch ${ref.epoch}` });
}

function ok(request: FastifyRequest, reply: FastifyReply, data: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(okEnvelope(data, request.id));
}

export async function registerSchedulerRoutes(app: FastifyInstance, deps: SchedulerRouteDeps): Promise<void> {
  const { scheduler, blobs } = deps;
  const db = app.farm.store.db;
  // An encapsulated scope: node auth and the raw-bytes parser apply to these routes only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(['application/octet-stream', 'image/jpeg'], (_request, payload, done) =>
      done(null, payload),
    );
    scope.addHook('onRequest', requireWorkerToken(app));

    scope.post(WORKER_PATHS.register, async (request, reply) => {
      const node = nodeOfRequest(request);
      const body = parseBody(registerBody, request.body, WORKER_PATHS.register);
      await recordRegistration(db, node.id, body);
      app.farm.events.signal({ kind: 'node' });
      return ok(request, reply, {
        workerId: node.id,
        name: node.name,
        disabled: node.disabled,
        leaseTtlMs: scheduler.policy.leaseTtlMs,
        maxPollMs: scheduler.policy.maxPollMs,
      } satisfies NodeRegisterAnswer);
    });

    scope.post(WORKER_PATHS.poll, async (request, reply) => {
      const body = parseBody(pollBody, request.body, WORKER_PATHS.poll);
      // The nodes page shows last contact and what each node renders: a poll may change both.
      app.farm.events.signal({ kind: 'node' });
      const answer = await scheduler.poll(nodeOfRequest(request), body);
      if (answer.leases.length > 0 || answer.cancel.length > 0) app.farm.events.signal({ kind: 'node' });
      return ok(request, reply, answer satisfies NodePollAnswer);
    });

    scope.post(WORKER_PATHS.progress, async (request, reply) => {
      const body = parseBody(progressBody, request.body, WORKER_PATHS.progress);
      if (!(await scheduler.progress(nodeOfRequest(request), body, body.progress))) throw leaseLost(body);
      return ok(request, reply, null);
    });

    scope.post(WORKER_PATHS.log, async (request, reply) => {
      const body = parseBody(logBody, request.body, WORKER_PATHS.log);
      const owner = await scheduler.log(nodeOfRequest(request), body, body.lines);
      if (owner === undefined) throw leaseLost(body);
      // The task's owner's open log panels fetch the new lines (the signal names no task).
      app.farm.events.signal({ kind: 'log', userId: owner.userId });
      return ok(request, reply, null);
    });

    scope.post(WORKER_PATHS.complete, async (request, reply) => {
      const body = parseBody(leaseBody, request.body, WORKER_PATHS.complete);
      if (!(await scheduler.complete(nodeOfRequest(request), body))) throw leaseLost(body);
      return ok(request, reply, null);
    });

    scope.post(WORKER_PATHS.fail, async (request, reply) => {
      const body = parseBody(failBody, request.body, WORKER_PATHS.fail);
      if (!(await scheduler.fail(nodeOfRequest(request), body, body.error))) throw leaseLost(body);
      return ok(request, reply, null);
    });

    /**
     * Store an uploaded file under its hash. Its bytes are verified against it
     * even when the blob is stored already: only then does the task's owner
     * hold it (see transfer/blob-proof.ts), so a node cannot hand one user
     * another user's file by naming its hash.
     */
    const storeBody = async (request: FastifyRequest, key: BlobKey): Promise<void> => {
      try {
        assertBlobKey(key);
      } catch (err) {
        throw ApiError.of('PARAMETER_INVALID', { detail: (err as Error).message });
      }
      await storeProven(blobs, key, request.body as Readable);
    };

    scope.put(WORKER_PATHS.output, async (request, reply) => {
      const node = nodeOfRequest(request);
      const q = parseBody(uploadQuery, request.query, WORKER_PATHS.output);
      const owner = await scheduler.verify(node, q);
      if (owner === undefined) throw leaseLost(q);
      if (q.name === undefined) throw ApiError.of('PARAMETER_CANT_BE_EMPTY', { detail: 'name' });
      let path: string;
      try {
        path = normalizeServerPath(`/${owner.outputFolder}/${q.name}`);
      } catch (err) {
        throw ApiError.of('BAD_SERVER_PATH', { detail: (err as Error).message });
      }
      const key = { sha256: q.sha256, size: q.size };
      await storeBody(request, key);
      await recordHeldBlob(db, owner.userId, key);
      await writeManifest(db, owner.userId, owner.userId, 'output', [{ path, ...key, mtime: Date.now() }]);
      app.farm.events.publish({
        userId: owner.userId,
        type: 'frame',
        taskId: owner.taskId,
        frameId: q.frameId,
        status: FrameStatus.RUNNING,
        detail: { output: path, size: q.size },
      });
      return ok(request, reply, { path });
    });

    scope.put(WORKER_PATHS.thumbnail, async (request, reply) => {
      const node = nodeOfRequest(request);
      const q = parseBody(uploadQuery, request.query, WORKER_PATHS.thumbnail);
      const owner = await scheduler.verify(node, q);
      if (owner === undefined) throw leaseLost(q);
      const key = { sha256: q.sha256, size: q.size };
      await storeBody(request, key);
      // Thumbnails are previews, not results: they go to the config storage beside the job files.
      const path = `/${owner.taskId}/thumbnails/frame_${q.frameId}.jpg`;
      await recordHeldBlob(db, owner.userId, key);
      await writeManifest(db, owner.userId, owner.userId, 'config', [{ path, ...key, mtime: Date.now() }]);
      await setThumbnail(db, q.frameId, path);
      return ok(request, reply, { path });
    });

    scope.get(`${WORKER_PATHS.blob}/:sha256/:size`, async (request, reply) => {
      const node = nodeOfRequest(request);
      const params = request.params as { sha256: string; size: string };
      const key = { sha256: params.sha256, size: Number(params.size) };
      try {
        assertBlobKey(key);
      } catch (err) {
        throw ApiError.of('PARAMETER_INVALID', { detail: (err as Error).message });
      }
      if (!(await nodeMayReadBlob(db, node.name, key))) {
        throw ApiError.of('FORBIDDEN', { detail: 'no current lease needs this blob' });
      }
      const stream = await blobs.get(key);
      return reply.type('application/octet-stream').header('content-length', key.size).send(stream);
    });
  });
}
