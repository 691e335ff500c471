import type { BlendCompression } from './container.js';

/** What the .blend reader reports about one file, in Blender's own terms (RNA names where they exist). */
export interface BlendInfo {
  /** "2.78", "3.4", "5.2": the version that saved the file (cg_version). */
  version: string;
  /** major × 100 + minor from the header (`304`). */
  fileVersion: number;
  /** FileGlobal.subversion (the "sub" in "3.4 (sub 6)"), when the file has a GLOB block. */
  subversion?: number;
  compression: BlendCompression;
  headerFormat: 'legacy' | '5.x';
  pointerSize: 4 | 8;
  littleEndian: boolean;
  /** The path the file was saved as (FileGlobal.filepath); empty in most 2.9x+ files. */
  savedAs?: string;
  /** The scene Blender opens the file with (FileGlobal.curscene); `blender -b` renders this one by default. */
  activeScene?: string;
  scenes: BlendScene[];
  /** Every camera object (Object.type == OB_CAMERA), in file order. */
  cameras: string[];
  images: BlendImage[];
  libraries: BlendLibrary[];
  /** Every external path the file stores, images and libraries included, packed ones flagged. */
  externalFiles: BlendExternalFile[];
}

export interface BlendScene {
  name: string;
  frameStart: number;
  frameEnd: number;
  frameStep: number;
  fps: number;
  resolutionX: number;
  resolutionY: number;
  /** `resolution_percentage`; the rendered size is resolution × percentage / 100. */
  resolutionPercentage: number;
  /** Render engine as stored (`CYCLES`, `BLENDER_EEVEE`, `BLENDER_RENDER` …); see effectiveEngine(). */
  engine: string;
  /** `render.filepath` as stored (`//render/####`, `/tmp\`). */
  outputPath: string;
  /** `image_settings.file_format` (`PNG`, `OPEN_EXR`, `FFMPEG` …). */
  fileFormat: string;
  /** True when the output is a movie container rather than an image per frame. */
  movieOutput: boolean;
  /** Name of the scene camera object, null when the scene has none. */
  camera: string | null;
  /** Timeline markers that switch the camera mid-range (in marker order). */
  markerCameras: BlendMarkerCamera[];
  viewLayers: BlendViewLayer[];
}

export interface BlendMarkerCamera {
  frame: number;
  camera: string;
}

export interface BlendViewLayer {
  name: string;
  /** The layer's "Use for Rendering" toggle. */
  render: boolean;
}

/** `Image.source` names (RNA). */
export type BlendImageSource = 'FILE' | 'SEQUENCE' | 'MOVIE' | 'GENERATED' | 'VIEWER' | 'TILED' | 'UNKNOWN';

export interface BlendImage {
  name: string;
  /** The stored path (RNA `filepath`), original separators kept. */
  path: string;
  source: BlendImageSource;
  packed: boolean;
  /** UDIM tile numbers of a TILED image, when the file lists them. */
  tiles?: number[];
}

export interface BlendLibrary {
  name: string;
  /** `Library.name` (RNA `filepath`): the path as the user set it, often `//`-relative. */
  path: string;
  packed: boolean;
}

export type BlendExternalKind =
  | 'image'
  | 'library'
  | 'cache_file'
  | 'volume'
  | 'sound'
  | 'font'
  | 'movie_clip'
  | 'text'
  | 'point_cache'
  | 'fluid_cache'
  | 'ies'
  | 'osl_script'
  /** Video-sequencer image strip element (one file per element). */
  | 'sequencer_image'
  /** Video-sequencer movie strip. */
  | 'sequencer_movie';

export interface BlendExternalFile {
  kind: BlendExternalKind;
  /** The datablock (or owner) name the path belongs to. */
  owner: string;
  /** The path exactly as stored. */
  path: string;
  /** Embedded in the .blend: needed by nobody on disk. */
  packed: boolean;
  /** How the path expands to several files on disk. */
  expansion: 'none' | 'sequence' | 'udim' | 'directory';
  /** For `udim`: the tiles the file uses, each one file to find. */
  tiles?: number[];
}
