import { type ReadContext, SceneAnalyzer, type SceneReadResult, TIP_CODES } from '../core/index.js';
import type { MayaScene } from './maya-scene.js';
import { readMayaScene } from './read-maya-scene.js';
import { mayaSceneInfoRender } from './scene-info-render.js';

/**
 * Maya analyzer (reference `AnalyzeMaya`) without Maya: reads `.ma` fully
 * and `.mb` best effort (`scene.partial`, see the package README). Missing
 * files are reported under tip 10012. cg_version is the year release the
 * file was saved with (`2018` for `2018ff09`); render_layer_type is "1"
 * for Render Setup scenes.
 */
export class AnalyzeMaya extends SceneAnalyzer<MayaScene> {
  protected readonly software = {
    cgName: 'Maya',
    cgId: '2000',
    missingFileTipCode: TIP_CODES.mayaMissingFile,
  };

  protected readScene(context: ReadContext): SceneReadResult<MayaScene> {
    const { scene, dependencies } = readMayaScene(context.cgFile, context.options.inputProjectPath);
    return {
      scene,
      ...(scene.majorVersion === undefined ? {} : { savedVersion: scene.majorVersion }),
      plugins: scene.plugins,
      sceneInfoRender: mayaSceneInfoRender(scene.layers, scene.cameras),
      dependencies,
      ...(scene.projectRoot === undefined ? {} : { inputProjectPath: scene.projectRoot }),
      renderLayerType: scene.renderLayerSystem === 'renderSetup' ? '1' : '0',
      partial: scene.partial,
    };
  }
}
