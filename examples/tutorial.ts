/**
 * The rayvision seed walkthrough in TypeScript: log in, analyze a scene, edit
 * its job files, choose the hardware and check the job, upload, submit,
 * download. Runs against a farm started with `openfarm up`:
 *
 *   export OPENFARM_URL=http://127.0.0.1:7200
 *   export RAYVISION_API_ACCESS_ID=… RAYVISION_API_KEY=…   # from `openfarm users add`
 *   node --conditions=source --import tsx examples/tutorial.ts path/to/scene.blend
 */
import { AnalyzeBlender } from '@openfarm/analyzers';
import {
  appendToTask,
  appendToUpload,
  RayvisionAPI,
  RayvisionCheck,
  RayvisionDownload,
  RayvisionUpload,
  updateTaskInfo,
} from '@openfarm/sdk';

const scene = process.argv[2];
if (scene === undefined) {
  console.error('usage: tutorial.ts <scene.blend>');
  process.exit(2);
}
const farm = new URL(process.env.OPENFARM_URL ?? 'http://127.0.0.1:7200');

// 1. Log in. Credentials come from RAYVISION_API_ACCESS_ID / RAYVISION_API_KEY
//    when not passed; `connect` runs the login bootstrap (profile, settings, storage ids).
const api = await RayvisionAPI.connect({
  domain: farm.host,
  protocol: farm.protocol === 'https:' ? 'https' : 'http',
  platform: '2',
});
console.log(`logged in as ${String(api.userInfo.user_name)} (user ${String(api.userInfo.user_id)})`);

// 2. Analyze the scene without Blender installed: writes task.json, asset.json,
//    tips.json and upload.json into a fresh job folder.
const analyze = new AnalyzeBlender({ cgFile: scene, projectName: 'tutorial', platform: '2' });
await analyze.analyse();
console.log(`job files in ${analyze.jobDir}`);

// 3. Optional edits of the job files.
await updateTaskInfo({ frames_per_task: '1', pre_frames: '100' }, analyze.taskJson);
await appendToTask({ artist: 'tutorial' }, analyze.taskJson);
await appendToUpload([scene], analyze.uploadJson); // already listed by the analyzer: skipped

// 4. Choose the hardware and check the job: software version, hardware config,
//    tips, ids. Returns the task id allocated for this job.
const configs = await api.user.getHardwareConfig();
const cpu = configs.find((c) => c.status === 1 && c.type === 1 && String(c.platform) === api.platform);
if (cpu === undefined) throw new Error(`no enabled CPU hardware config on platform ${api.platform}`);
const taskId = await new RayvisionCheck(api, analyze).execute({
  hardwareConfig: { model: cpu.model, ram: cpu.ram, gpuNum: cpu.gpuNum },
});
console.log(`checked: task ${taskId}`);

// 5. Upload: the four job files into the task's config folder, then every
//    asset of upload.json (files the farm already holds cost one request).
const uploaded = await new RayvisionUpload(api).upload(
  taskId,
  analyze.taskJson,
  analyze.tipsJson,
  analyze.assetJson,
  analyze.uploadJson,
);
console.log(`uploaded ${uploaded.assets.files} asset files`);

// 6. Submit.
await api.submit(taskId);
const frames = [...(await api.query.getAllFrames(taskId)).values()];
console.log(`submitted task ${taskId}: ${frames.length} frames queued`);

// 7. Download every frame as it finishes, until the task ends (render nodes
//    started by `openfarm up` pick the frames up).
const downloaded = await new RayvisionDownload(api).autoDownload([taskId], { localPath: 'renders' });
console.log(`downloaded ${downloaded.downloadedFiles} files into renders/`);
