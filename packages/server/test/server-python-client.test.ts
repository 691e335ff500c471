/**
 * A client written the way the reference Python SDK works (stdlib only:
 * urllib + hmac; Python-style signing over the unescaped values, bodies sent
 * with json.dumps' ASCII escaping, languageFlag added after signing) drives the
 * whole submit flow against a real farm. Skipped only when python3 is absent.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { FrameStatus } from '@openfarm/protocol';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { createWorker, schedulerPlugin } from '../src/index.js';
import { NodeClient } from './scheduler-support.js';
import { startTestFarm, type TestFarm } from './support/farm.js';
import { mayaTaskJson } from './support/task-json.js';

const PYTHON_CLIENT = `
import base64, hashlib, hmac, json, random, sys, time, urllib.request

class Api:
    def __init__(self, access_id, access_key, domain, platform="2", protocol="http"):
        self.access_id, self.access_key = access_id, access_key
        self.domain, self.platform, self.protocol = domain, platform, protocol

    def _pairs(self, prefix, value, out):
        if isinstance(value, dict):
            for k, v in value.items():
                self._pairs(k if prefix == "" else prefix + "." + k, v, out)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._pairs(prefix + str(i), v, out)
        else:
            out[prefix] = str(value)

    def post(self, path, data=None):
        data = data or {}
        headers = {"accessId": self.access_id, "channel": "4", "platform": self.platform,
                   "UTCTimestamp": str(int(time.time())), "nonce": str(random.randint(100000, 999998)),
                   "version": "2.0.0"}
        signed = dict(headers)
        signed.update(data)
        pairs = {}
        for k, v in signed.items():
            self._pairs(k, v, pairs)
        message = "[POST]" + self.domain + ":" + path + "&" + "&".join(k + "=" + pairs[k] for k in sorted(pairs))
        digest = hmac.new(self.access_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
        headers["signature"] = base64.b64encode(digest).decode()
        headers["Content-Type"] = "application/json"
        headers["languageFlag"] = "1" if "renderbus" in self.domain else "0"
        req = urllib.request.Request(self.protocol + "://" + self.domain + path, data=json.dumps(data).encode(), headers=headers, method="POST")
        try:
            body = json.loads(urllib.request.urlopen(req).read())
        except urllib.error.HTTPError as err:
            body = json.loads(err.read())
        if body["code"] != 200:
            raise RuntimeError("Error code: %s, Error message: %s, URL: %s" % (body["code"], body["message"], path))
        return body["data"]

access_id, access_key, domain, task_json = sys.argv[1:5]
api = Api(access_id, access_key, domain)
user = {}
for p in ("/api/render/setUp/queryUserProfile", "/api/render/setUp/queryUserSetting", "/api/render/transfer/getBid"):
    user.update(api.post(p))
platforms = api.post("/api/render/common/queryPlatforms", {"zone": 2})
hardware = api.post("/api/render/hardwareConfig/list", {"cloneTask": "false"})
software = api.post("/api/render/plugin/querySoftwareList")
maya = api.post("/api/render/plugin/querySoftwareDetail", {"cgId": 2000, "osName": "linux"})
created = api.post("/api/render/submit/createTask", {"count": 1, "taskUserLevel": 50, "labels": ["python"]})
task_id = created["taskIdList"][0]
task = json.loads(open(task_json, encoding="utf-8").read())
task["task_info"]["task_id"] = str(task_id)
api.post("/api/render/submit/taskJsonFile", {"taskId": task_id, "fileName": "task.json", "content": json.dumps(task, ensure_ascii=False)})
api.post("/api/render/submit/task", {"taskId": task_id})
info = api.post("/api/render/handle/queryTaskInfo/v2", {"taskIds": [task_id]})
frames = []
for child in info["items"][0]["respRenderingTaskList"] or [info["items"][0]]:
    frames += api.post("/api/render/handle/queryTaskFrames", {"taskId": child["id"], "pageNum": 1, "pageSize": 100})["items"]
print(json.dumps({"user": user, "platforms": platforms, "hardware": hardware, "software": software, "maya": maya,
                  "taskId": task_id, "alias": created["aliasTaskIdList"][0], "info": info, "frames": frames}))
`;

let farm: TestFarm;
let dir: string;
before(async () => {
  farm = await startTestFarm({ plugins: [schedulerPlugin()] });
  dir = await mkdtemp(join(tmpdir(), 'openfarm-python-'));
  // The software catalogue is what live render nodes render: a Maya 2022 node registers first.
  const w = await createWorker(farm.server.farm.store.db, 'py-maya');
  await new NodeClient(farm.url, w.token, 'py-maya').register([{ cgName: 'Maya', version: '2022' }]);
});
after(async () => {
  await farm.close();
  await rm(dir, { recursive: true, force: true });
});

test('the reference-style Python client logs in, creates, uploads task.json, submits and reads frames', {
  skip: requireProgram('python3'),
}, async () => {
  const user = await farm.addUser('pyuser');
  const script = join(dir, 'client.py');
  await writeFile(script, PYTHON_CLIENT);
  const taskJson = join(dir, 'task.json');
  // A non-ASCII project name: Python sends it \u-escaped but signs it unescaped.
  await writeFile(taskJson, JSON.stringify(mayaTaskJson(0, { project_name: '镜头 010' })));
  // Asynchronously: the farm answers from this very process.
  const r = await promisify(execFile)(
    'python3',
    [script, user.accessId, user.accessKey, farm.host, taskJson],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const out = JSON.parse(r.stdout) as {
    user: Record<string, unknown>;
    platforms: Array<{ platform: number }>;
    hardware: Array<{ model: string }>;
    software: { renderInfoList: Array<{ cgName: string }> };
    maya: { cgVersion: Array<{ cgVersion: string }> };
    taskId: number;
    alias: string;
    info: { items: Array<{ projectName: string; totalFrames: number; respRenderingTaskList: unknown[] }> };
    frames: Array<{ frameIndex: string; frameStatus: number }>;
  };
  assert.equal(out.user.userName, 'pyuser');
  assert.equal(out.user.input_bid !== undefined && out.user.taskOverTimeSec !== undefined, true);
  assert.ok(out.platforms.some((p) => p.platform === 2));
  assert.ok(out.hardware.some((h) => h.model === 'Default'));
  assert.ok(out.software.renderInfoList.some((s) => s.cgName === 'Maya'));
  assert.ok(out.maya.cgVersion.some((v) => v.cgVersion === '2022'));
  assert.equal(out.alias, `2W${out.taskId}`);
  const task = out.info.items[0]!;
  assert.equal(task.projectName, '镜头 010');
  assert.equal(task.respRenderingTaskList.length, 2);
  assert.equal(task.totalFrames, 6);
  assert.equal(out.frames.length, 6);
  assert.deepEqual(
    out.frames.slice(0, 2).map((f) => [f.frameIndex, f.frameStatus]),
    [
      ['1', FrameStatus.WAITING],
      ['2-4[1]', FrameStatus.WAITING_PRIORITY],
    ],
  );
});
