import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DependencyCollector, readSceneBytes } from '../core/index.js';
import { readCameras } from './cameras.js';
import { collectNodeFiles, isMayaBuiltin } from './file-dependencies.js';
import { parseMayaAscii } from './ma-parser.js';
import { parseMayaBinary } from './mb-parser.js';
import type { MayaDocument } from './maya-document.js';
import type { MayaScene } from './maya-scene.js';
import { majorVersion } from './maya-version.js';
import { findProjectRoot } from './project-root.js';
import { walkReferences } from './references.js';
import { readRenderLayers } from './render-layers.js';
import { readTimeline } from './timeline.js';

/** Largest scene file read (Node buffers top out near here anyway). */
const MAX_SCENE_BYTES = 2 ** 31 - 1;

/** Read a Maya file of either format, chosen by its first bytes (a renamed .mb still reads). */
export function readMayaDocument(file: string): MayaDocument {
  return parseMayaBytes(readSceneBytes(file, MAX_SCENE_BYTES, 'scene file larger than 2 GiB'), file);
}

/** Parse Maya bytes: IFF (`FOR4`/`FOR8`) as Maya binary, anything else as Maya ASCII. */
export function parseMayaBytes(bytes: Uint8Array, file?: string): MayaDocument {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  return magic === 'FOR8' || magic === 'FOR4' ? parseMayaBinary(bytes, file) : parseMayaAscii(bytes, file);
}

export interface MayaReadResult {
  readonly scene: MayaScene;
  readonly dependencies: DependencyCollector;
}

/**
 * Everything AnalyzeMaya needs from a scene: version, plugins, render
 * layers with their effective settings, cameras, and every external file
 * (node files and references, followed into referenced Maya files),
 * resolved against the project root (workspace.mel or `inputProjectPath`)
 * and the scene's folder; an absolute path from another machine that is
 * missing is looked for under those folders too, as Maya does.
 */
export function readMayaScene(cgFile: string, inputProjectPath?: string): MayaReadResult {
  const file = resolve(cgFile);
  return describeMayaScene(readMayaDocument(file), file, inputProjectPath);
}

/**
 * The scene description of an already parsed document, as if read from
 * `cgFile` (its folder and project are where relative paths resolve).
 */
export function describeMayaScene(
  doc: MayaDocument,
  cgFile: string,
  inputProjectPath?: string,
): MayaReadResult {
  const file = resolve(cgFile);
  const sceneDir = dirname(file);
  const projectRoot =
    inputProjectPath !== undefined && inputProjectPath !== ''
      ? resolve(inputProjectPath)
      : findProjectRoot(file);
  const roots = [...new Set([projectRoot, sceneDir].filter((r): r is string => r !== undefined))];
  const dependencies = new DependencyCollector({
    roots,
    variables: environmentVariables(),
    isBuiltin: isMayaBuiltin,
    sceneFile: file,
    findMovedFiles: true,
  });
  const notes = [...doc.notes];
  const cameras = readCameras(doc);
  const layers = readRenderLayers(doc, cameras);
  collectNodeFiles(doc, dependencies, { roots, ownerPrefix: '' });
  const references = walkReferences(doc, file, {
    collector: dependencies,
    projectRoot,
    sceneDir,
    readDocument: readMayaDocument,
    notes,
    opened: new Set([safeRealpath(file)]),
  });
  const version = majorVersion(doc);
  const timeline = readTimeline(doc);
  const scene: MayaScene = {
    format: doc.format,
    partial: doc.partial,
    ...(doc.version === undefined ? {} : { version: doc.version }),
    ...(version === undefined ? {} : { majorVersion: version }),
    fileInfo: Object.fromEntries(doc.fileInfo),
    plugins: Object.fromEntries(doc.plugins),
    ...(doc.timeUnit === undefined ? {} : { timeUnit: doc.timeUnit }),
    ...(timeline === undefined ? {} : { timeline }),
    renderLayerSystem: layers.system,
    cameras,
    renderLayerNodes: layers.renderLayerNodes,
    layers: layers.layers,
    references,
    ...(projectRoot === undefined ? {} : { projectRoot }),
    notes,
  };
  return { scene, dependencies };
}

/**
 * Maya expands environment variables in file paths (`$PROJECT/tex/a.png`);
 * so does the analysis — except names that are frame tokens (`$F`, `$F4`).
 */
function environmentVariables(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(?:F\d*|FF|SF)$/.test(k)) vars[k] = v;
  }
  return vars;
}

function safeRealpath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
