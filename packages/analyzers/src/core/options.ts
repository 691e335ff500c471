import type { LogFileOptions, Logger } from '@openfarm/protocol';

/**
 * Constructor options shared by every Analyze* class (the reference's analyzer arguments).
 * `logFolder`, `logName`, `logLevel` add a log file of app `rayvision_<software>` (`rayvision_maya`,
 * `rayvision_houdini`, `rayvision_clarisse`, `rayvision_blender`), with the SDK's folder rules and rotation.
 */
export interface AnalyzeOptions extends LogFileOptions {
  /** The scene file to analyze. Must exist. */
  cgFile: string;
  /** DCC version to render with; defaults to the version the file was saved with. */
  softwareVersion?: string;
  /** task_info.project_name. */
  projectName?: string;
  /** software_config.plugins; defaults to the plugins the scene requires. */
  pluginConfig?: Record<string, string>;
  /** Folder holding the job folders; default `$HOME/renderfarm_sdk` (`%USERPROFILE%` on Windows). */
  workspace?: string;
  /** task_info.platform (render region), default "2". */
  platform?: string;
  /** Project root (Maya workspace). Readers that have a notion of project resolve relative paths against it. */
  inputProjectPath?: string;
  /** task_info.render_layer_type (Maya: "0" legacy render layers, "1" Render Setup); readers may detect it. */
  renderLayerType?: string;
  /** Where the analysis reports (start, missing files, tips, the job files written); default silent. */
  logger?: Logger;
}
