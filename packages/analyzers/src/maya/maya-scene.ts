/** The typed description AnalyzeMaya produces (its `scene`). */

export interface MayaCamera {
  /** Camera shape node (`perspShape`). */
  readonly shape: string;
  /** Its transform (`persp`), when the file names it. */
  readonly transform?: string;
  /** `.rnd` as stored (default renderable; Maya writes `no` on top/front/side). */
  readonly renderable: boolean;
}

/** A render-settings override a Render Setup layer applies. */
export interface MayaOverride {
  /** The override node. */
  readonly node: string;
  readonly kind: 'absolute' | 'relative';
  /** Long attribute name (`startFrame`, `imageFilePrefix`, `renderable`…). */
  readonly attribute: string;
  /** Nodes it applies to (`defaultRenderGlobals`, `perspShape`…). */
  readonly targets: readonly string[];
  /** Absolute value, or `*multiply+offset` for relative overrides. */
  readonly value: string;
}

/** Effective render settings of one layer. */
export interface MayaLayerSettings {
  /** renderLayer node name, what `Render -rl` takes (`defaultRenderLayer`, `rs_beauty`). */
  readonly name: string;
  /** The Render Setup layer it belongs to (`beauty`), if any. */
  readonly renderSetupLayer?: string;
  readonly renderable: boolean;
  readonly renderer: string;
  readonly animation: boolean;
  readonly startFrame: number;
  readonly endFrame: number;
  readonly byFrame: number;
  readonly imageFilePrefix: string;
  /** `.outf` enum value (undefined when not set anywhere). */
  readonly imageFormatCode?: number;
  readonly imageFormatKey?: string;
  /** Extension the renderer writes (`exr`, `iff`, `png`…). */
  readonly imageFormat: string;
  readonly width: number;
  readonly height: number;
  /** Camera shapes rendered in this layer. */
  readonly renderCameras: readonly string[];
  readonly overrides: readonly MayaOverride[];
}

export interface MayaSceneReference {
  readonly path: string;
  readonly namespace?: string;
  readonly referenceNode?: string;
  readonly fileType?: string;
  readonly deferred: boolean;
  /** 1 for references of the analyzed scene, 2 for theirs, … */
  readonly depth: number;
  /** The file that holds this reference. */
  readonly from: string;
  readonly status: 'found' | 'missing';
  /** Resolved local path when found. */
  readonly resolved?: string;
}

export interface MayaScene {
  readonly format: 'ma' | 'mb';
  /** True for Maya binary input: numeric attributes and node types are not fully decoded. */
  readonly partial: boolean;
  /** As the file states it (`2023`, `2018ff09`). */
  readonly version?: string;
  /** The year release (`2018`), what software_config.cg_version carries. */
  readonly majorVersion?: string;
  readonly fileInfo: Readonly<Record<string, string>>;
  readonly plugins: Readonly<Record<string, string>>;
  readonly timeUnit?: string;
  /** playbackOptions stored in sceneConfigurationScriptNode (the timeline, not the render range). */
  readonly timeline?: {
    readonly min: number;
    readonly max: number;
    readonly animationStart?: number;
    readonly animationEnd?: number;
  };
  /** 'legacy' render layers or Render Setup ('renderSetup'). */
  readonly renderLayerSystem: 'legacy' | 'renderSetup';
  readonly cameras: readonly MayaCamera[];
  /** Every renderLayer node in the file, incl. ones not attached to the scene's layer manager. */
  readonly renderLayerNodes: readonly string[];
  /** The layers Maya renders (attached to the scene's renderLayerManager), master layer first. */
  readonly layers: readonly MayaLayerSettings[];
  readonly references: readonly MayaSceneReference[];
  readonly projectRoot?: string;
  /** Things the reader could not do (unreadable referenced file, truncated input…). */
  readonly notes: readonly string[];
}
