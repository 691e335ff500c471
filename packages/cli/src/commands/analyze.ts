/**
 * `openfarm analyze SCENE`: read a scene without its DCC and write the job
 * folder (task.json, asset.json, tips.json, upload.json) as the reference
 * SDK's analyzers do. The reader is chosen by the file's extension.
 */
import { analyzeScene } from '@openfarm/analyzers';
import type { Command } from 'commander';
import { jsonSafe, terminalSafe } from '../output.js';
import { outputOf } from './admin-store.js';
import { tipLines } from './job-flow.js';

interface AnalyzeFlags {
  softwareVersion?: string;
  project?: string;
  projectPath?: string;
  workspace?: string;
  platform?: string;
  json?: boolean;
}

export function registerAnalyzeCommands(program: Command): void {
  program
    .command('analyze')
    .description(
      'analyze a scene (.ma .mb .hip .hipnc .hiplc .project .blend …) without its DCC and write the job files',
    )
    .argument('<scene>', 'the scene file')
    .option(
      '--software-version <version>',
      'DCC version to render with (default: the version the scene was saved with)',
    )
    .option('--project <name>', 'project name (task_info.project_name)')
    .option('--project-path <dir>', 'project root for relative paths (task_info.input_project_path)')
    .option('--workspace <dir>', 'folder for job folders (default ~/renderfarm_sdk; must exist when given)')
    .option('--platform <id>', 'render platform (task_info.platform)')
    .option('--json', 'print {"jobDir","task","asset","tips","upload"}: the job folder and the four files')
    .action(async (scene: string, flags: AnalyzeFlags, cmd: Command) => {
      const out = outputOf(cmd);
      const analyzer = await analyzeScene(scene, {
        ...(flags.softwareVersion === undefined ? {} : { softwareVersion: flags.softwareVersion }),
        ...(flags.project === undefined ? {} : { projectName: flags.project }),
        ...(flags.projectPath === undefined ? {} : { inputProjectPath: flags.projectPath }),
        ...(flags.workspace === undefined ? {} : { workspace: flags.workspace }),
        ...(flags.platform === undefined ? {} : { platform: flags.platform }),
      });
      if (flags.json === true) {
        const files = {
          jobDir: analyzer.jobDir,
          task: analyzer.taskInfo,
          asset: analyzer.assetInfo,
          tips: analyzer.tipsInfo,
          upload: analyzer.uploadInfo,
        };
        out(`${jsonSafe(files)}\n`);
        return;
      }
      const task = analyzer.taskInfo!;
      const uploads = analyzer.uploadInfo!.asset.length;
      const missing = analyzer.dependencies.filter((d) => d.status === 'missing').length;
      // Tips in words (kind, meaning, fix), as `check` prints them.
      const tips = await tipLines(analyzer.jobDir);
      // Paths and tips come from the scene and the disk: one line each, whatever they hold.
      const line = (text: string): string => terminalSafe(text);
      out(
        `${line(task.software_config.cg_name)} ${line(task.software_config.cg_version || '(version unknown)')}: ${line(analyzer.cgFile)}\n` +
          `job folder: ${line(analyzer.jobDir)}\n` +
          `files to upload: ${uploads} (scene included), missing: ${missing}\n` +
          (analyzer.partial ? 'partial: this format is only partly decoded; check the results\n' : '') +
          tips.map((t) => `${t}\n`).join(''),
      );
    });
}
