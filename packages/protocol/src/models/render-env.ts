/** Render environments ("user plugin configs"): a named DCC version + plugin set (§2.7). */
import { z } from 'zod';
import { optFlag, optInt, optStr } from './primitives.js';

export const RenderEnvSchema = z
  .looseObject({
    cgId: z.int(),
    editName: z.string(),
    cgName: z.string(),
    cgVersion: z.string(),
    /** 0 Linux, 1 Windows */
    osName: optInt(),
    renderLayerType: optInt(),
    isDefault: optFlag(),
    respUserPluginInfoVos: z
      .array(z.looseObject({ pluginId: z.int(), pluginName: z.string(), pluginVersion: z.string() }))
      .nullable()
      .optional(),
    projectPath: optStr(),
  })
  .meta({ id: 'RenderEnv' });

export type RenderEnv = z.output<typeof RenderEnvSchema>;
