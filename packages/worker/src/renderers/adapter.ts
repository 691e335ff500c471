/**
 * The contract every renderer adapter fulfils. An adapter knows three things
 * about one DCC: how to find it on this node (and its version), how to turn a
 * task.json plus a frame range into a command line, and how to read progress and
 * written files from what the renderer prints. Running the command is shared
 * (run-render.ts), so supervision and output collection behave the same for all.
 */
import type { SupervisedCommand } from '../process/supervise.js';

/** The part of task.json (rayvision §3.1) the adapters read. All `task_info` values are strings. */
export interface TaskJson {
  readonly task_info: Readonly<Record<string, string | undefined>>;
  readonly software_config: {
    readonly cg_name: string;
    readonly cg_version: string;
    readonly plugins?: Readonly<Record<string, string>>;
  };
  readonly scene_info?: Readonly<Record<string, unknown>>;
  readonly scene_info_render?: Readonly<Record<string, unknown>>;
}

/** Frames `start..end` every `step` (inclusive), the unit a node renders in one go. */
export interface FrameRange {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

export interface RenderJob {
  readonly task: TaskJson;
  /** The scene file as staged on this node. */
  readonly scenePath: string;
  /** Root of the staged server-path tree: server path `/D/proj/a.png` is `<stagingRoot>/D/proj/a.png`. */
  readonly stagingRoot: string;
  readonly frames: FrameRange;
  /** Where the renderer must write its images; everything found here afterwards is an output. */
  readonly outputDir: string;
  /** Scratch folder for files the adapter writes for the renderer (startup scripts). */
  readonly workDir: string;
  readonly threads: number;
  /**
   * The unit of a child task: Blender scene, Maya render layer, Houdini ROP,
   * Clarisse image layer, Katana render node, Cinema 4D take. Absent: the scene's default.
   */
  readonly layer?: string;
}

/** A renderer found on this node. */
export interface InstalledRenderer {
  readonly cgName: string;
  readonly version: string;
  readonly executable: string;
  /** Build features that change how the adapter drives it (Blender: `openimagedenoise`). */
  readonly features?: Readonly<Record<string, boolean>>;
}

export type RenderEvent =
  | { readonly kind: 'frame'; readonly frame: number }
  | { readonly kind: 'progress'; readonly fraction: number }
  | { readonly kind: 'output'; readonly path: string }
  | { readonly kind: 'error'; readonly message: string };

export interface RendererAdapter {
  /** `software_config.cg_name` this adapter renders (rayvision spelling). */
  readonly cgName: string;
  /** Find the renderer on this node; `undefined` when it is not installed. */
  detect(env?: NodeJS.ProcessEnv): Promise<InstalledRenderer | undefined>;
  /** Build the command for `job`, writing any helper file it needs under `job.workDir`. */
  prepare(job: RenderJob, installed: InstalledRenderer): Promise<SupervisedCommand>;
  /**
   * Warm sessions (renderers/warm-session.ts), for adapters that support them: the command that
   * loads the scene once and then renders frame ranges asked on its stdin, and the output
   * pattern to ask for.
   */
  prepareWarm?(job: RenderJob, installed: InstalledRenderer): Promise<SupervisedCommand>;
  warmOutput?(job: RenderJob): string;
  /** A fresh line reader for one run (parsers keep state, like the current frame). */
  createParser(): (line: string) => RenderEvent[];
}

/** Frame numbers of a range, in order. */
export function framesOf(r: FrameRange): number[] {
  const out: number[] = [];
  for (let f = r.start; f <= r.end; f += Math.max(1, r.step)) out.push(f);
  return out;
}
