/** The admin's pages: render nodes (with disable/enable) and users. Anyone else gets "not found". */
import { ApiError } from '@openfarm/protocol';
import { nodesPage, nodesRegion, usersPage } from '@openfarm/web';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setWorkerDisabled } from '../scheduler/sql/workers.js';
import { nodeViews, userViews } from './node-data.js';
import { type DashboardSession, ownOrigin } from './session.js';
import { isHtmx, viewerOf } from './task-routes.js';

export function registerAdminRoutes(
  scope: FastifyInstance,
  app: FastifyInstance,
  sessionFor: (request: FastifyRequest) => Promise<DashboardSession>,
): void {
  const db = app.farm.store.db;
  const adminFor = async (request: FastifyRequest) => {
    const session = await sessionFor(request);
    if (session.user.is_admin === 0) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: 'no such page' });
    return session;
  };

  scope.get('/nodes', async (request, reply) => {
    const session = await adminFor(request);
    return reply
      .type('text/html; charset=utf-8')
      .send(nodesPage(await nodeViews(db), viewerOf(session), ownOrigin(request)).text);
  });

  scope.get('/nodes/region', async (request, reply) => {
    const session = await adminFor(request);
    return reply
      .type('text/html; charset=utf-8')
      .send(nodesRegion(await nodeViews(db), viewerOf(session), ownOrigin(request)).text);
  });

  scope.post<{ Params: { name: string; change: string } }>('/nodes/:name/:change', async (request, reply) => {
    const session = await adminFor(request);
    const { name, change } = request.params;
    if (change !== 'enable' && change !== 'disable')
      throw ApiError.of('RESOURCE_NOT_FOUND', { detail: 'no such action' });
    if (!(await setWorkerDisabled(db, name, change === 'disable')))
      throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `no render node named ${name}` });
    app.farm.events.signal({ kind: 'node' });
    if (!isHtmx(request)) return reply.redirect('/nodes', 303);
    const note = { kind: 'info' as const, text: `${change === 'disable' ? 'Disabled' : 'Enabled'} ${name}.` };
    return reply
      .type('text/html; charset=utf-8')
      .send(nodesRegion(await nodeViews(db), viewerOf(session), ownOrigin(request), note).text);
  });

  scope.get('/users', async (request, reply) => {
    const session = await adminFor(request);
    return reply
      .type('text/html; charset=utf-8')
      .send(usersPage(await userViews(db), viewerOf(session)).text);
  });
}
