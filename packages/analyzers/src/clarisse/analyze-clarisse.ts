import { dirname, resolve } from 'node:path';
import {
  CLARISSE_EXTENSION_KINDS,
  DependencyCollector,
  isAbsoluteAnyOs,
  kindOfExtension,
  type ReadContext,
  readSceneBytes,
  SceneAnalyzer,
  type SceneReadResult,
  type SoftwareInfo,
  TIP_CODES,
} from '../core/index.js';
import { type ClarisseProject, readClarisseProject } from './read-project.js';
import { clarisseSceneInfoRender } from './scene-info.js';

/** Largest project read into memory; real projects are a few MB. */
const MAX_PROJECT_BYTES = 512 * 1024 * 1024;
/** Referenced projects followed below the scene, a guard against reference cycles and chains. */
const MAX_REFERENCE_DEPTH = 16;
const BUILTIN = /^\$\{?(?:CLARISSE_BIN_DIR|CTEMP)\b/;

/**
 * The reference's AnalyzeClarisse without its Windows-only helper: reads the
 * `.project` itself and writes task.json (`scene_info_render.image_node`),
 * asset.json, tips.json (25009 for every file not found, 15013 on a version
 * mismatch) and upload.json. Referenced `.project` files are uploaded and
 * their own file references followed when they exist.
 */
export class AnalyzeClarisse extends SceneAnalyzer<ClarisseProject> {
  protected readonly software: SoftwareInfo = {
    cgName: 'Clarisse',
    cgId: '2013',
    missingFileTipCode: TIP_CODES.clarisseMissingFile,
  };

  protected readScene({ cgFile }: ReadContext): SceneReadResult<ClarisseProject> {
    const project = readClarisseProject(readProjectBytes(cgFile), cgFile);
    const dependencies = new DependencyCollector({
      roots: [dirname(cgFile)],
      sceneFile: cgFile,
      isBuiltin: (p) => BUILTIN.test(p),
    });
    collect(project, cgFile, dependencies, new Set([resolve(cgFile)]), 0);
    return {
      scene: project,
      savedVersion: project.clarisseVersion,
      sceneInfoRender: clarisseSceneInfoRender(project),
      dependencies,
    };
  }
}

function collect(
  project: ClarisseProject,
  file: string,
  dependencies: DependencyCollector,
  visited: Set<string>,
  depth: number,
): void {
  const dir = dirname(file);
  for (const ref of project.files) {
    // $PDIR is the folder of the project that holds the reference, which differs for referenced projects.
    const text = ref.raw.replace(/\$\{?PDIR\}?/g, dir.replace(/\\/g, '/'));
    const path = isAbsoluteAnyOs(text) || BUILTIN.test(text) ? text : resolve(dir, text);
    const resolved = dependencies.add({
      path,
      owner: `${ref.owner}.${ref.attribute}`,
      kind: ref.project ? 'reference' : kindOfExtension(text, CLARISSE_EXTENSION_KINDS),
    });
    if (!ref.project || resolved?.status !== 'found' || depth >= MAX_REFERENCE_DEPTH) continue;
    for (const nested of resolved.files) {
      const key = resolve(nested);
      if (visited.has(key)) continue;
      visited.add(key);
      collect(
        readClarisseProject(readProjectBytes(nested), nested),
        nested,
        dependencies,
        visited,
        depth + 1,
      );
    }
  }
}

function readProjectBytes(file: string): Uint8Array {
  return readSceneBytes(file, MAX_PROJECT_BYTES, 'Clarisse project larger than 512 MiB');
}
