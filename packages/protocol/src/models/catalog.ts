/** Farm-wide catalogues: platforms, supported software and plugins, analysis error details (§2.7). */
import { z } from 'zod';
import { optFlag, optInt, optStr, optStrOrNum } from './primitives.js';

export const PlatformSchema = z
  .looseObject({
    platform: z.int(),
    name: z.string(),
    /** 0 GPU, 1 CPU, 2 picture */
    type: optInt(),
    /** 0 inactive, 1 normal, 2 busy, 3 full */
    status: optInt(),
    /** "W": task aliases are `<platform><taskPrefix><id>`. */
    taskPrefix: optStr(),
    isShow: optFlag(),
  })
  .meta({ id: 'Platform' });

export const SoftwareListSchema = z.looseObject({
  isAutoCommit: optInt(),
  defaultCgId: optInt(),
  renderInfoList: z.array(
    z.looseObject({
      cgId: z.int(),
      cgName: z.string(),
      /** Scene extensions, ";"-separated: "ma;mb". */
      cgType: optStr(),
      iconPath: optStr(),
      isNeedProjectPath: optInt(),
      isNeedAnalyse: optInt(),
      isSupportLinux: optInt(),
      /** openfarm: how many live render nodes render this software (only software with one is listed). */
      renderNodes: optInt(),
      /** openfarm: the versions those nodes have, in the spelling the matcher compares (4.0.3). */
      cgVersionList: z.array(z.string()).optional(),
    }),
  ),
});

export const SoftwareDetailSchema = z.looseObject({
  cgVersion: z.array(
    z.looseObject({ id: z.int(), cgId: z.int(), cgName: z.string(), cgVersion: z.string() }),
  ),
  cgPlugin: z.array(
    z.looseObject({
      cvId: z.int(),
      pluginName: z.string(),
      pluginVersions: z.array(
        z.looseObject({ pluginId: z.int(), pluginName: z.string(), pluginVersion: z.string() }),
      ),
    }),
  ),
});

export const ErrorDetailSchema = z
  .looseObject({
    id: optInt(),
    code: z.string(),
    /** 0 warning, 1 error (blocks submission) */
    type: z.int(),
    languageFlag: optInt(),
    desDescriptionCn: optStr(),
    desSolutionCn: optStr(),
    solutionPath: optStr(),
    isRepair: optInt(),
    isDelete: optInt(),
    isOpen: optInt(),
    lastModifyAdmin: optStr(),
    updateTime: optStrOrNum(),
  })
  .meta({ id: 'ErrorDetail' });

export const PackNodeSchema = z.looseObject({
  packNodeId: z.union([z.int(), z.string()]),
  packName: z.string(),
});

export type Platform = z.output<typeof PlatformSchema>;
export type SoftwareList = z.output<typeof SoftwareListSchema>;
export type SoftwareDetail = z.output<typeof SoftwareDetailSchema>;
export type ErrorDetail = z.output<typeof ErrorDetailSchema>;
export type PackNode = z.output<typeof PackNodeSchema>;
