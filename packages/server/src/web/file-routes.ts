/**
 * Bytes the dashboard shows or offers, fetched by URL with the session's
 * rights: frame thumbnails, output files and frame logs. Also the API's
 * thumbnail URL, `GET /api/openfarm/thumbnails/<frameId>?token=…`, which
 * `loadingFrameThumbnail` answers (see thumbnail-url.ts).
 */
import { ApiError, FrameStatus } from '@openfarm/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRow } from '../accounts/users.js';
import type { BlobStore } from '../blob/index.js';
import '../scheduler/tables.js';
import { RENDER_LOG } from '../scheduler/sql/append-frame-log.js';
import { visibleOwnerIds } from '../tasks/visibility.js';
import { getManifestEntry } from '../transfer/manifest.js';
import { normalizeManifestPath } from '../transfer/server-path.js';
import type { DashboardSession } from './session.js';
import { outputFolders } from './task-data.js';
import { verifyThumbnailToken } from './web-tokens.js';

export const THUMBNAIL_API_PATH = '/api/openfarm/thumbnails';
const LOG_PAGE_LINES = 500;

async function visibleFrame(app: FastifyInstance, user: UserRow, frameId: number) {
  const db = app.farm.store.db;
  const frame = await db
    .selectFrom('frames')
    .select(['id', 'user_id', 'state', 'thumbnail_path'])
    .where('id', '=', frameId)
    .where('user_id', 'in', await visibleOwnerIds(db, user))
    .executeTakeFirst();
  if (frame === undefined) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `frame ${frameId} not found` });
  return frame;
}

/** Send a stored file: strong ETag (its SHA-256), 304 on a match. */
async function sendStored(
  request: FastifyRequest,
  reply: FastifyReply,
  blobs: BlobStore,
  entry: { sha256: string; size: number },
  type: string,
): Promise<FastifyReply> {
  const etag = `"${entry.sha256}"`;
  reply.header('etag', etag).header('cache-control', 'private, no-cache').type(type);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply
    .header('content-length', entry.size)
    .send(await blobs.get({ sha256: entry.sha256, size: entry.size }));
}

async function sendThumbnail(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  blobs: BlobStore,
  frame: { id: number; user_id: number; thumbnail_path: string | null },
): Promise<FastifyReply> {
  const missing = () => ApiError.of('RESOURCE_NOT_FOUND', { detail: `frame ${frame.id} has no thumbnail` });
  if (frame.thumbnail_path === null) throw missing();
  const entry = await getManifestEntry(app.farm.store.db, frame.user_id, 'config', frame.thumbnail_path);
  if (entry === undefined) throw missing();
  return sendStored(request, reply, blobs, entry, 'image/jpeg');
}

const frameIdOf = (text: string): number => {
  if (!/^[1-9]\d{0,15}$/.test(text)) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: 'no such frame' });
  return Number(text);
};

/** Routes that need a session; `sessionFor` answers 401/redirect when there is none. */
export function registerFileRoutes(
  scope: FastifyInstance,
  app: FastifyInstance,
  blobs: BlobStore,
  sessionFor: (request: FastifyRequest) => Promise<DashboardSession>,
): void {
  scope.get<{ Params: { id: string } }>('/ui/frames/:id/thumbnail', async (request, reply) => {
    const { user } = await sessionFor(request);
    const frame = await visibleFrame(app, user, frameIdOf(request.params.id));
    return sendThumbnail(app, request, reply, blobs, frame);
  });

  scope.get<{ Params: { id: string }; Querystring: { after?: string } }>(
    '/ui/frames/:id/log',
    async (request, reply) => {
      const { user } = await sessionFor(request);
      const frame = await visibleFrame(app, user, frameIdOf(request.params.id));
      const after = /^\d{1,12}$/.test(request.query.after ?? '') ? Number(request.query.after) : 0;
      const rows = await app.farm.store.db
        .selectFrom('frame_log_lines')
        .select(['seq', 'line'])
        .where('frame_id', '=', frame.id)
        .where('rendering_type', '=', RENDER_LOG)
        .where('seq', '>=', after)
        .orderBy('seq')
        .limit(LOG_PAGE_LINES)
        .execute();
      const next = rows.length > 0 ? rows[rows.length - 1]!.seq + 1 : after;
      // JSON, read by the page script into text nodes: a log line never becomes markup.
      return reply.header('cache-control', 'no-store').send({
        lines: rows.map((r) => r.line),
        next,
        running: frame.state === FrameStatus.RUNNING || rows.length === LOG_PAGE_LINES,
      });
    },
  );

  scope.get<{ Params: { id: string; '*': string } }>('/ui/tasks/:id/outputs/*', async (request, reply) => {
    const { user } = await sessionFor(request);
    const notFound = () => ApiError.of('FILE_NOT_FOUND', { detail: 'no such output file' });
    if (!/^[1-9]\d{0,15}$/.test(request.params.id)) throw notFound();
    const { owner, folders } = await outputFolders(app.farm.store.db, user, Number(request.params.id));
    let path: string;
    try {
      path = normalizeManifestPath(`/${request.params['*']}`);
    } catch {
      throw notFound();
    }
    // Only files of this task's output folders, never another path of the owner's storage.
    if (!folders.some((f) => path.startsWith(`/${f}/`))) throw notFound();
    const entry = await getManifestEntry(app.farm.store.db, owner, 'output', path);
    if (entry === undefined) throw notFound();
    const name = path.slice(path.lastIndexOf('/') + 1);
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    return sendStored(request, reply, blobs, entry, 'application/octet-stream');
  });
}

/** The capability URL behind `loadingFrameThumbnail`: no session or signature, the token is the right. */
export function registerThumbnailApiRoute(app: FastifyInstance, blobs: BlobStore): void {
  app.get<{ Params: { id: string }; Querystring: { token?: string } }>(
    `${THUMBNAIL_API_PATH}/:id`,
    async (request, reply) => {
      const id = frameIdOf(request.params.id.replace(/\.jpg$/, ''));
      const granted = await verifyThumbnailToken(app.farm.store.db, request.query.token ?? '');
      if (granted !== id)
        throw ApiError.of('SIGNATURE_INVALID', {
          path: THUMBNAIL_API_PATH,
          detail: 'bad or expired thumbnail token',
        });
      const frame = await app.farm.store.db
        .selectFrom('frames')
        .select(['id', 'user_id', 'thumbnail_path'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (frame === undefined) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `frame ${id} not found` });
      reply.header('x-content-type-options', 'nosniff');
      return sendThumbnail(app, request, reply, blobs, frame);
    },
  );
}
