import { dirname } from 'node:path';
import {
  DependencyCollector,
  type ReadContext,
  SceneAnalyzer,
  type SceneReadResult,
  type SoftwareInfo,
  TIP_CODES,
} from '../core/index.js';
import type { BlendInfo } from './blend-info.js';
import { collectBlendDependencies } from './dependencies.js';
import { readBlendFile } from './read-blend.js';
import { blenderTips } from './render-tips.js';
import { blenderSceneInfo } from './scene-info.js';

/**
 * The reference's AnalyzeBlender without Blender: reads the .blend itself
 * and writes task.json (scene_info and scene_info_render with the Blender
 * `common` block plus every scene), asset.json, tips.json (10012 missing
 * file, 46000 movie output, 46001 frame step, 46003 no camera, 15013
 * version mismatch) and upload.json (every external file found, then the
 * .blend).
 */
export class AnalyzeBlender extends SceneAnalyzer<BlendInfo> {
  protected readonly software: SoftwareInfo = {
    cgName: 'Blender',
    cgId: '2007',
    missingFileTipCode: TIP_CODES.blenderMissingFile,
  };

  protected async readScene({ cgFile, options }: ReadContext): Promise<SceneReadResult<BlendInfo>> {
    const info = await readBlendFile(cgFile);
    const dependencies = new DependencyCollector({ roots: [dirname(cgFile)], sceneFile: cgFile });
    await collectBlendDependencies(info, cgFile, dependencies);
    const sceneInfo = blenderSceneInfo(info, options.softwareVersion ?? info.version);
    return {
      scene: info,
      savedVersion: info.version,
      sceneInfo,
      // RayvisionCheck reads scene_info_render and falls back to scene_info; both hold the same block.
      sceneInfoRender: sceneInfo,
      dependencies,
      tips: blenderTips(info),
    };
  }
}
