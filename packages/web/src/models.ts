/**
 * What the pages show, as plain data. The server fills these in from its
 * store; the views only turn them into markup, so they can be tested (and
 * their escaping checked) without a farm.
 */

/** The signed-in user as the pages need it. Never holds an access key. */
export interface Viewer {
  readonly name: string;
  readonly isAdmin: boolean;
  /** Sent back with every state-changing request (form field `_csrf` or header `x-csrf-token`). */
  readonly csrfToken: string;
}

export interface TaskSummary {
  readonly id: number;
  readonly sceneName: string;
  readonly projectName: string;
  readonly alias: string;
  readonly layerName: string;
  readonly userName: string;
  readonly status: number;
  readonly totalFrames: number;
  readonly doneFrames: number;
  readonly failedFrames: number;
  readonly runningFrames: number;
  readonly waitingFrames: number;
  readonly stoppedFrames: number;
  readonly submitDate: number | null;
  readonly startTime: number | null;
  readonly completedDate: number | null;
  readonly priority: number;
  /** Seconds left, estimated from the finished frames' render times; null when nothing finished yet. */
  readonly etaSec: number | null;
}

export interface TaskListFilters {
  readonly q: string;
  readonly status: string;
  readonly project: string;
  readonly page: number;
}

export interface TaskListView {
  readonly tasks: readonly TaskSummary[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly filters: TaskListFilters;
  /** Project names of the caller's tasks, for the filter. */
  readonly projects: readonly string[];
  /** A message after an action ("Stopped 2 tasks"), or an error to show. */
  readonly notice?: { readonly kind: 'info' | 'error'; readonly text: string } | undefined;
  /** True when render nodes exist that could take work (for the empty state). */
  readonly hasNodes: boolean;
  readonly serverUrl: string;
}

export interface FrameView {
  readonly id: number;
  readonly taskId: number;
  readonly frameIndex: string;
  readonly state: number;
  readonly attempts: number;
  readonly node: string | null;
  readonly renderSec: number | null;
  readonly hasThumbnail: boolean;
  readonly progress: number;
  readonly error: string | null;
}

export interface OutputFileView {
  /** Path inside the output storage, e.g. `/12_scene/0001.png`. */
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
}

export interface TaskDetailView {
  readonly task: TaskSummary;
  readonly children: readonly TaskSummary[];
  readonly frames: readonly FrameView[];
  readonly frameTotal: number;
  readonly framePage: number;
  readonly framePageSize: number;
  readonly outputs: readonly OutputFileView[];
  /** More output files exist than are listed. */
  readonly outputsTruncated: boolean;
  /** The frame whose log is shown: the chosen one, else a running one. */
  readonly logFrame: FrameView | null;
  readonly notice?: { readonly kind: 'info' | 'error'; readonly text: string } | undefined;
}

export interface NodeView {
  readonly name: string;
  readonly disabled: boolean;
  readonly online: boolean;
  readonly lastSeenAt: number | null;
  readonly os: string;
  readonly cores: number;
  readonly ramMb: number;
  readonly gpus: number;
  readonly slots: number;
  readonly renderers: ReadonlyArray<{ readonly cgName: string; readonly version: string }>;
  readonly agentVersion: string;
  /** Frames the node renders now. */
  readonly rendering: ReadonlyArray<{
    readonly taskId: number;
    readonly frameId: number;
    readonly frameIndex: string;
  }>;
}

export interface UserView {
  readonly id: number;
  readonly name: string;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  readonly mainUserName: string | null;
}
