/**
 * What `loadingFrameThumbnail` (getFrameThumbnail) answers: like the
 * reference, URLs a client can fetch as they are. Each is
 * `<origin>/api/openfarm/thumbnails/<frameId>.jpg?token=<token>`, the token a
 * capability for that one frame's thumbnail valid for an hour (a pre-signed
 * URL), so an image tag or a plain HTTP GET works without signing.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { THUMBNAIL_API_PATH } from './file-routes.js';
import { ownOrigin } from './session.js';
import { thumbnailToken } from './web-tokens.js';

export async function thumbnailUrl(
  db: Kysely<Database>,
  request: FastifyRequest,
  frameId: number,
): Promise<string> {
  return `${ownOrigin(request)}${THUMBNAIL_API_PATH}/${frameId}.jpg?token=${await thumbnailToken(db, frameId)}`;
}
