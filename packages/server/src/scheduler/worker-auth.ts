/**
 * Authentication of render nodes: `Authorization: Bearer <node token>`. The
 * token is looked up by its hash; the node row rides on the request. Node
 * routes never accept a user's access key, and user routes never a node token.
 */
import { ApiError } from '@openfarm/protocol';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { refusedBeforeBody } from '../http/unread-body.js';
import { nodeOf, type SchedulerNode } from './scheduler.js';
import { findWorkerByToken } from './sql/workers.js';
import { bearerToken } from './worker-tokens.js';

const NODE = Symbol('openfarm.node');

type WithNode = FastifyRequest & { [NODE]?: SchedulerNode };

/**
 * An `onRequest` hook: the token is checked before any of the body is read, so a
 * request with a wrong token never has its body buffered or parsed (the
 * unverified-body gate lets bearer requests through to their routes for this).
 */
export function requireWorkerToken(app: FastifyInstance): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined)
      throw refusedBeforeBody(
        request,
        reply,
        ApiError.of('WORKER_TOKEN_INVALID', { detail: 'send Authorization: Bearer <node token>' }),
      );
    const row = await findWorkerByToken(app.farm.store.db, token);
    if (row === undefined) throw refusedBeforeBody(request, reply, ApiError.of('WORKER_TOKEN_INVALID'));
    (request as WithNode)[NODE] = nodeOf(row);
  };
}

/** The node of a request that went through requireWorkerToken. */
export function nodeOfRequest(request: FastifyRequest): SchedulerNode {
  const node = (request as WithNode)[NODE];
  if (node === undefined)
    throw new Error(`route ${request.url} used nodeOfRequest() without requireWorkerToken()`);
  return node;
}
