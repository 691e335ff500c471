/**
 * The job one step at a time, after `openfarm analyze SCENE`:
 * `openfarm check JOBDIR` (tips in words, ids filled in),
 * `openfarm submit JOBDIR` (upload and submit; `--wait` or `--download DIR`
 * follow the task to its end) and `openfarm wait TASK…`.
 */
import { resolve } from 'node:path';
import { RayvisionUpload } from '@openfarm/sdk';
import { type Command, Option } from 'commander';
import { jsonSafe, print } from '../output.js';
import { downloadWhileRendering, waitForTasks } from './follow.js';
import {
  addCheckOptions,
  addSubmitOptions,
  type CheckFlags,
  checkJob,
  checkedTaskId,
  type SubmitFlags,
  submitJob,
  tipLines,
} from './job-flow.js';
import { type ConnectionFlags, clientCommand, connectClient, taskIdArg } from './tasks.js';

export function registerJobCommands(program: Command): void {
  addCheckOptions(
    clientCommand(program, 'check <jobDir>', 'check an analyzed job and give it a task id'),
  ).action(async function (this: Command, jobDir: string, flags: ConnectionFlags & CheckFlags) {
    const dir = resolve(jobDir);
    const tips = await tipLines(dir);
    if (!flags.json) for (const l of tips) print(this, l);
    const api = await connectClient(flags, { needsPlatform: true });
    const taskId = await checkJob(api, dir, flags);
    if (flags.json) print(this, jsonSafe({ taskId, jobDir: dir }, 0));
    else print(this, `task ${taskId}: checked; submit it with \`openfarm submit ${jobDir}\``);
  });

  addSubmitOptions(clientCommand(program, 'submit <jobDir>', 'upload a checked job and start rendering it'))
    .addOption(new Option('--wait', 'follow the task until it ends (exit 0 only if every frame is done)'))
    .addOption(
      new Option('--download <dir>', 'follow the task, downloading frames as they finish').conflicts('wait'),
    )
    .action(async function (
      this: Command,
      jobDir: string,
      flags: ConnectionFlags & SubmitFlags & { wait?: boolean; download?: string },
    ) {
      const dir = resolve(jobDir);
      await checkedTaskId(dir);
      const api = await connectClient(flags, { needsPlatform: true });
      const taskId = await submitJob(api, dir, flags, new RayvisionUpload(api));
      if (flags.json && flags.wait !== true && flags.download === undefined)
        return print(this, jsonSafe({ taskId, submitted: true }, 0));
      if (!flags.json)
        print(
          this,
          `task ${taskId}: submitted` +
            (flags.wait || flags.download
              ? ''
              : `; follow it with \`openfarm wait ${taskId}\`, get its frames with \`openfarm download ${taskId}\``),
        );
      const isTestStop = flags.stopAfterTest === true;
      if (flags.download !== undefined)
        await downloadWhileRendering(this, api, taskId, resolve(flags.download), { ...flags, isTestStop });
      else if (flags.wait === true) await waitForTasks(this, api, [taskId], { ...flags, isTestStop });
    });

  clientCommand(
    program,
    'wait <taskIds...>',
    'follow tasks until they end; exit 0 all done, 2 failed frames, 3 stopped, 4 paused after test',
  ).action(async function (this: Command, taskIds: string[], flags: ConnectionFlags) {
    const ids = taskIds.map(taskIdArg);
    const api = await connectClient(flags);
    // A task paused after its test frames waits for its owner: that ends the wait too (exit 4).
    await waitForTasks(this, api, ids, { ...flags, isTestStop: true });
  });
}
