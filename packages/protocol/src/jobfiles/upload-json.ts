/** upload.json (§3.3): the files to upload and where they go on the server. */
import { z } from 'zod';
import { ServerPathError, normalizeServerPath } from '../paths.js';

const serverPath = () =>
  z.string().superRefine((v, ctx) => {
    try {
      normalizeServerPath(v);
      if (!v.startsWith('/')) throw new ServerPathError(v, 'not absolute');
    } catch (e) {
      if (!(e instanceof ServerPathError)) throw e;
      ctx.addIssue({
        code: 'custom',
        message: `expected an absolute server path like "/D/proj/a.png" (${e.reason})`,
      });
    }
  });

export const UploadEntrySchema = z.looseObject({
  /** Local path, "/" separators. */
  local: z.string().min(1, 'expected the local file path'),
  server: serverPath(),
});

export const UploadSceneEntrySchema = UploadEntrySchema.extend({
  /** md5 of the scene file, hex. */
  hash: z.string().regex(/^[0-9a-fA-F]{32}$/, 'expected an md5 as 32 hex digits'),
});

export const UploadJsonSchema = z.looseObject({
  asset: z.array(UploadEntrySchema),
  // 3ds Max writes one packed scene object instead of a list.
  scene: z
    .union([z.array(UploadSceneEntrySchema), UploadSceneEntrySchema.partial({ hash: true })])
    .optional(),
  vrmap: z.array(z.unknown()).optional(),
  vrlmap: z.array(z.unknown()).optional(),
});

export type UploadJson = z.output<typeof UploadJsonSchema>;
