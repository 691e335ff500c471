/** The render environment operator (`api.env`, §2.7): named DCC version + plugin sets. */
import { z } from 'zod';
import { intIn, nothing, numberish, text } from '../models/primitives.js';
import { RenderEnvSchema } from '../models/render-env.js';
import { defineEndpoint } from './define.js';

const cgId = () => intIn(2000, 2999);
/** 0 Linux, 1 Windows */
const osFlag = () => numberish(z.union([z.literal(0), z.literal(1)]));
const editName = () => text().min(1);

const renderEnvBody = () =>
  z.looseObject({
    cgId: cgId(),
    cgName: text(64).min(1),
    cgVersion: text(64).min(1),
    editName: editName(),
    renderSystem: osFlag(),
    pluginIds: z.array(intIn(1, Number.MAX_SAFE_INTEGER)).max(1000),
    renderLayerType: intIn(0, 1).optional(),
    projectPath: text(4096).optional(),
  });

export const ENV_ENDPOINTS = {
  'env.addRenderEnv': defineEndpoint({
    name: 'env.addRenderEnv',
    operator: 'env',
    method: 'addRenderEnv',
    path: '/api/render/plugin/addUserPluginConfig',
    legacyPaths: ['/api/render/common/addRenderEnv'],
    request: renderEnvBody(),
    response: z.looseObject({ editName: z.string() }),
    summary: 'Create a render environment.',
  }),
  'env.updateRenderEnv': defineEndpoint({
    name: 'env.updateRenderEnv',
    operator: 'env',
    method: 'updateRenderEnv',
    path: '/api/render/plugin/editUserPluginConfig',
    legacyPaths: ['/api/render/common/updateRenderEnv'],
    request: renderEnvBody(),
    response: nothing(),
    summary: 'Replace a render environment.',
  }),
  'env.deleteRenderEnv': defineEndpoint({
    name: 'env.deleteRenderEnv',
    operator: 'env',
    method: 'deleteRenderEnv',
    path: '/api/render/plugin/deleteUserPluginConfig',
    legacyPaths: ['/api/render/common/deleteRenderEnv'],
    request: z.looseObject({ editName: editName() }),
    response: nothing(),
    summary: 'Delete a render environment.',
  }),
  'env.setDefaultRenderEnv': defineEndpoint({
    name: 'env.setDefaultRenderEnv',
    operator: 'env',
    method: 'setDefaultRenderEnv',
    path: '/api/render/plugin/setDefaultUserPluginConfig',
    legacyPaths: ['/api/render/common/setDefaultRenderEnv'],
    request: z.looseObject({ editName: editName() }),
    response: nothing(),
    summary: 'Make a render environment the default of its software.',
  }),
  'env.getRenderEnv': defineEndpoint({
    name: 'env.getRenderEnv',
    operator: 'env',
    method: 'getRenderEnv',
    path: '/api/render/plugin/getUserPluginConfig',
    legacyPaths: ['/api/render/common/getRenderEnv'],
    request: z.looseObject({
      cgId: cgId().optional(),
      cgIds: z.array(cgId()).min(1).max(1000).optional(),
      osName: osFlag().optional(),
    }),
    response: z.array(RenderEnvSchema),
    summary: 'Render environments, optionally of some software.',
  }),
} as const;
