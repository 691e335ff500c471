import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AnalyzeMaya } from '@openfarm/analyzers';
import { appendToUpload, RayvisionCheck, updateTaskInfo } from '@openfarm/sdk';
import { CPU_64GB, startFarm, type TestFarm } from './farm-fixture.js';

let farm: TestFarm;
let dir: string;
before(async () => {
  farm = await startFarm();
  dir = await mkdtemp(join(tmpdir(), 'openfarm-sdk-analyzed-'));
});
after(async () => {
  await farm.close();
  await rm(dir, { recursive: true, force: true });
});

const SCENE = `//Maya ASCII 2022 scene
//Name: shot.ma
//Codeset: UTF-8
requires maya "2022";
fileInfo "application" "maya";
fileInfo "product" "Maya 2022";
fileInfo "version" "2022";
createNode transform -n "shotCam";
createNode camera -n "shotCamShape" -p "shotCam";
	setAttr ".rnd" yes;
createNode file -n "wood";
	setAttr ".ftn" -type "string" "tex/wood.png";
createNode file -n "lost";
	setAttr ".ftn" -type "string" "tex/lost.png";
// End of shot.ma
`;

test('the seed workflow: analyze, edit, check and submit a scene', async () => {
  await mkdir(join(dir, 'shot', 'tex'), { recursive: true });
  await mkdir(join(dir, 'shot', 'extra', 'luts'), { recursive: true });
  await mkdir(join(dir, 'workspace'));
  await writeFile(join(dir, 'shot', 'tex', 'wood.png'), 'png');
  await writeFile(join(dir, 'shot', 'extra', 'luts', 'show.cube'), 'lut');
  const scene = join(dir, 'shot', 'shot.ma');
  await writeFile(scene, SCENE);

  const analyze = new AnalyzeMaya({
    cgFile: scene,
    projectName: 'harbour',
    workspace: join(dir, 'workspace'),
  });
  await analyze.analyse();
  await updateTaskInfo({ job_stop_time: '3600' }, analyze.taskJson);
  const added = await appendToUpload(join(dir, 'shot', 'extra'), analyze.uploadJson);
  assert.equal(added.length, 1);

  const api = farm.client();
  const taskId = await new RayvisionCheck(api, analyze).execute({ hardwareConfig: CPU_64GB });
  const task = JSON.parse(await readFile(analyze.taskJson, 'utf8')) as { task_info: Record<string, string> };
  assert.equal(task.task_info.task_id, String(taskId));
  assert.equal(task.task_info.job_stop_time, '3600');
  assert.equal(task.task_info.user_id, String(farm.user.userId));
  const project = (await api.tag.getProjectList()).find((p) => p.projectName === 'harbour');
  assert.equal(task.task_info.project_id, String(project?.projectId));
  // The missing texture is a warning tip: it is reported, it does not stop the job.
  assert.ok(Object.keys(JSON.parse(await readFile(analyze.tipsJson, 'utf8'))).length > 0);

  for (const [path, name] of [
    [analyze.taskJson, 'task.json'],
    [analyze.uploadJson, 'upload.json'],
    [analyze.tipsJson, 'tips.json'],
    [analyze.assetJson, 'asset.json'],
  ] as const) {
    await api.transmit.uploadJsonContent(taskId, await readFile(path, 'utf8'), name);
  }
  await api.submit(taskId);
  const info = (await api.query.taskInfo([taskId])).items[0]!;
  assert.equal(info.sceneName, 'shot.ma');
  assert.ok((info.totalFrames ?? 0) >= 1);
  assert.equal((await api.query.getAllFrames(taskId)).size, info.totalFrames);
});
