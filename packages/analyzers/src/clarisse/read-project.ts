import { AnalyzeError } from '../core/index.js';
import { type Entry, parseBraceTree } from './brace-tree.js';
import { type ClarisseFileReference, findFileReferences } from './file-references.js';
import { type ClarisseImage, findImages, type Timeline } from './images.js';
import { type ClarisseContext, type ClarisseObject, collectObjects } from './project-objects.js';

/** What a farm needs from a Clarisse iFX `.project`, read without Clarisse. */
export interface ClarisseProject {
  /** `#Isotropix_Serial_Version` (file syntax, 1.1 / 1.2). */
  serialVersion?: string;
  /** `#Isotropix_Clarisse_Version` (3.5, 4, 5). */
  clarisseVersion?: string;
  /** `#Isotropix_Clarisse_Project_Version` (0.94, 0.98). */
  projectVersion?: string;
  /** Playback range from the project preferences, when saved. */
  timeline?: Timeline;
  contexts: ClarisseContext[];
  objects: ClarisseObject[];
  images: ClarisseImage[];
  /** Item paths of the camera objects. */
  cameras: string[];
  files: ClarisseFileReference[];
}

const utf8 = new TextDecoder('utf-8');
const HEADER = '#Isotropix_Serial_Version';
/** Clarisse's own default playback range when the preferences do not say. */
const DEFAULT_TIMELINE: Timeline = { start: 0, end: 50 };

export function readClarisseProject(input: Uint8Array | string, file?: string): ClarisseProject {
  const text = typeof input === 'string' ? input : utf8.decode(input);
  if (!text.trimStart().startsWith(HEADER)) {
    throw new AnalyzeError('WRONG_FORMAT', `not a Clarisse project (no ${HEADER} header)`, file);
  }
  const entries = parseBraceTree(text, file);
  const { contexts, objects } = collectObjects(entries);
  const timeline = readTimeline(entries);
  return {
    serialVersion: header(entries, 'Isotropix_Serial_Version'),
    clarisseVersion: header(entries, 'Isotropix_Clarisse_Version'),
    projectVersion: header(entries, 'Isotropix_Clarisse_Project_Version'),
    timeline,
    contexts,
    objects,
    images: findImages(objects, timeline ?? DEFAULT_TIMELINE),
    cameras: objects.filter((o) => o.className.startsWith('Camera')).map((o) => o.path),
    files: findFileReferences(objects, contexts),
  };
}

function header(entries: Entry[], name: string): string | undefined {
  for (const e of entries) {
    if (e.kind === 'statement' && e.meta && e.name === name) return e.values[0]?.text;
  }
  return undefined;
}

/** `#preferences { categories { animation { start_frame … end_frame … } } }`. */
function readTimeline(entries: Entry[]): Timeline | undefined {
  const animation = child(
    child(child(entries, 'preferences', true)?.children, 'categories')?.children,
    'animation',
  );
  if (animation === undefined) return undefined;
  const value = (name: string) => {
    const s = animation.children.find((e) => e.kind === 'statement' && e.name === name);
    const n = s?.kind === 'statement' ? Number(s.values[0]?.text) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  const start = value('start_frame');
  const end = value('end_frame');
  return start === undefined || end === undefined ? undefined : { start, end };
}

function child(entries: Entry[] | undefined, name: string, meta = false) {
  for (const e of entries ?? []) if (e.kind === 'block' && e.name === name && e.meta === meta) return e;
  return undefined;
}
