import { dirname } from 'node:path';
import {
  DependencyCollector,
  HOUDINI_EXTENSION_KINDS,
  kindOfExtension,
  type ReadContext,
  readSceneBytes,
  SceneAnalyzer,
  type SceneReadResult,
  type SoftwareInfo,
  TIP_CODES,
} from '../core/index.js';
import { type HoudiniScene, readHoudiniScene } from './read-scene.js';
import { houdiniSceneInfoRender } from './scene-info.js';
import { houdiniTaskInfo } from './task-info.js';

/** Largest scene file read into memory; real .hip files are far smaller. */
const MAX_HIP_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * The reference's AnalyzeHoudini without Houdini: reads the .hip/.hipnc/.hiplc
 * itself and writes task.json (`scene_info_render` with rop_node, geo_node
 * and distributedsim_node; task_info `is_distribute_render` "1" with a
 * distributed simulation), asset.json, tips.json (50001 for every missing
 * file a node reads, 15013 on a version mismatch) and upload.json.
 */
export class AnalyzeHoudini extends SceneAnalyzer<HoudiniScene> {
  protected readonly software: SoftwareInfo = {
    cgName: 'Houdini',
    cgId: '2004',
    missingFileTipCode: TIP_CODES.houdiniMissingFile,
  };

  protected readScene({ cgFile }: ReadContext): SceneReadResult<HoudiniScene> {
    const scene = readHoudiniScene(readSceneBytes(cgFile, MAX_HIP_BYTES, 'Houdini scene larger than 2 GiB'), {
      hipFile: cgFile,
      env: process.env,
    });
    const dependencies = new DependencyCollector({ roots: [dirname(cgFile)], sceneFile: cgFile });
    for (const ref of scene.files) {
      // Builtins ship with Houdini; unresolved paths need Houdini to evaluate and stay in the scene description.
      if (ref.status !== 'file' || ref.path === undefined) continue;
      dependencies.add({
        path: ref.path,
        owner: `${ref.node}.${ref.parm}`,
        kind: kindOfExtension(ref.path, HOUDINI_EXTENSION_KINDS),
      });
    }
    return {
      scene,
      savedVersion: scene.version,
      sceneInfoRender: houdiniSceneInfoRender(scene),
      taskInfo: houdiniTaskInfo(scene),
      dependencies,
    };
  }
}
