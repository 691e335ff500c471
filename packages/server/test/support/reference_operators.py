"""
A stand-in for the reference Python SDK's operators (standard library only).

Each method builds its body with the same keys and the same value types as
the reference's operator of the same name (ids as given by the caller,
`cgIds` as the text of its DCC id table, "" for unset audit dates, an empty
`labelIds` list, ...), signs it the reference's way (str() of every leaf,
keys sorted, languageFlag added after signing) and then runs over the answer
what the reference's own helpers run (get_small_task_id, get_all_frames,
get_project_list, the login merge). A TypeError or KeyError there means the
farm answered something the reference client cannot use.

Usage: python3 reference_operators.py ACCESS_ID ACCESS_KEY HOST SCENARIO.json
Prints one JSON object with what the test checks.
"""
import base64
import hashlib
import hmac
import json
import random
import re
import sys
import time
import urllib.error
import urllib.request

# The reference's DCC name -> cg id table holds the ids as TEXT.
DCC_IDS = {"maya": "2000", "3ds max": "2001", "houdini": "2004", "cinema4d": "2005",
           "blender": "2007", "clarisse": "2013", "katana": "2016"}


class FarmError(Exception):
    def __init__(self, code, message, path):
        super().__init__("Error code: %s, Error message: %s, URL: %s" % (code, message, path))
        self.code, self.message = code, message


class Connect:
    def __init__(self, access_id, access_key, domain, platform="2"):
        self.access_id, self.access_key = access_id, access_key
        self.domain, self.platform = domain, platform

    def _leaves(self, prefix, value, out):
        if isinstance(value, dict):
            for k, v in value.items():
                self._leaves(k if prefix == "" else prefix + "." + k, v, out)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._leaves(prefix + str(i), v, out)
        else:
            out[prefix] = value

    def post(self, path, data=None):
        data = data or {}
        headers = {"accessId": self.access_id, "channel": "4", "platform": self.platform,
                   "UTCTimestamp": str(int(time.time())), "nonce": str(random.randrange(100000, 999999)),
                   "version": "1.0.0"}
        signed = dict(headers)
        signed.update(data)
        leaves = {}
        self._leaves("", signed, leaves)
        message = "[POST]%s:%s&%s" % (self.domain, path, "&".join("{0}={1}".format(k, leaves[k]) for k in sorted(leaves)))
        digest = hmac.new(self.access_key.encode("utf8"), message.encode("utf8"), hashlib.sha256).digest()
        headers["signature"] = base64.b64encode(digest).decode()
        headers["Content-Type"] = "application/json"
        headers["languageFlag"] = "1"
        req = urllib.request.Request("http://" + self.domain + path, data=json.dumps(data).encode(),
                                     headers=headers, method="POST")
        try:
            body = json.loads(urllib.request.urlopen(req, timeout=30).read())
        except urllib.error.HTTPError as err:
            body = json.loads(err.read())
        if body["code"] != 200:
            raise FarmError(body["code"], body["message"], path)
        return body["data"]


def hump2underline(name):
    return re.sub(r"([a-z]|\d)([A-Z])", r"\1_\2", name).lower()


class Api:
    """The operators of the reference client, one method each, same bodies."""

    def __init__(self, connect):
        self.c = connect
        self.info = {}

    # --- user operator
    def login(self):
        profile = self.c.post("/api/render/setUp/queryUserProfile")
        profile.update(self.c.post("/api/render/setUp/queryUserSetting"))
        profile.update(self.c.post("/api/render/transfer/getBid"))
        for key, value in profile.items():
            if hump2underline(key) != "platform":
                self.info[hump2underline(key)] = value

    def update_user_settings(self, task_over_time):
        return self.c.post("/api/render/setUp/updateUserSetting", {"taskOverTimeSec": task_over_time})

    def get_hardware_config(self, task_ids=None):
        data = {"cloneTask": "false"}
        if task_ids:
            data["taskIds"] = task_ids
        return self.c.post("/api/render/hardwareConfig/list", data)

    def task_record(self, pageNum=1, pageSize=10, startDate="", endDate=""):
        return self.c.post("/api/render/handle/operate/sdk/taskRecord",
                           {"platform": int(self.c.platform), "pageNum": pageNum, "pageSize": pageSize,
                            "startDate": startDate, "endDate": endDate})

    def login_record(self, pageNum=1, pageSize=10, startDate="", endDate=""):
        return self.c.post("/api/render/handle/operate/sdk/loginRecord",
                           {"pageNum": pageNum, "pageSize": pageSize, "startDate": startDate, "endDate": endDate})

    # --- task operator
    def create_task(self, count=1, task_user_level=50, labels=None, clone_original_id=None, artist=None):
        data = {"count": count, "taskUserLevel": task_user_level}
        if labels:
            data["labels"] = labels
        if clone_original_id:
            data["cloneOriginalId"] = int(clone_original_id)
        if artist:
            data["artist"] = artist
        return self.c.post("/api/render/submit/createTask", data)

    def submit_task(self, task_id, producer=None):
        data = {"taskId": task_id}
        if producer:
            data["producer"] = producer
        return self.c.post("/api/render/submit/task", data)

    def stop_task(self, ids):
        return self.c.post("/api/rendering/task/renderingTask/stopTask", {"taskIds": ids})

    def start_task(self, ids):
        return self.c.post("/api/rendering/task/renderingTask/startTask", {"taskIds": ids})

    def abort_task(self, ids):
        return self.c.post("/api/render/handle/abandonTask", {"taskIds": ids})

    def delete_task(self, ids):
        return self.c.post("/api/render/handle/deleteTask", {"taskIds": ids})

    def update_priority(self, task_id, priority):
        return self.c.post("/api/rendering/task/renderingTask/updateTaskUserLevel",
                           {"taskId": task_id, "taskUserLevel": priority})

    def set_task_overtime_top(self, ids, overtime):
        return self.c.post("/api/render/handle/setTaskOverTimeStop", {"taskIds": ids, "overTime": overtime})

    def full_speed(self, ids):
        return self.c.post("/api/render/handle/fullSpeedRendering", {"taskIds": ids})

    # --- query operator
    def platforms(self):
        return self.c.post("/api/render/common/queryPlatforms", {"zone": 2})

    def error_detail(self, code=None, codes=None, language=0):
        data = {"language": language}
        if code:
            data["code"] = code
        if codes:
            data["codes"] = codes
        return self.c.post("/api/render/submit/queryAnalyseErrorDetail", data)

    def get_task_list(self, page_num=1, page_size=100, status_list=None, search_keyword=None):
        data = {"pageNum": page_num, "pageSize": page_size}
        if status_list:
            data["statusList"] = status_list
        if search_keyword:
            data["searchKeyword"] = search_keyword
        return self.c.post("/api/render/handle/getTaskList/v2", data)

    def task_frames(self, task_id, page_num=1, page_size=100):
        return self.c.post("/api/render/handle/queryTaskFrames",
                           {"taskId": task_id, "pageNum": page_num, "pageSize": page_size})

    def get_all_frames(self, task_id, start_page=1, end_page=2000, page_size=100):
        frames = {}
        for num in range(int(start_page), int(end_page) + 1):
            page = self.task_frames(task_id=int(task_id), page_num=num, page_size=page_size)
            if not page["items"]:
                break
            for frame in page["items"]:
                frames[frame["frameIndex"]] = frame
        return frames

    def all_frame_status(self):
        return self.c.post("/api/render/handle/queryAllFrameStats")

    def restart_failed_frames(self, ids, status=None):
        data = {"taskIds": ids}
        if status:
            data["status"] = status
        return self.c.post("/api/render/handle/recommitTasks", data)

    def _frame_selection(self, task_id, select_all, ids_list, status):
        data = {"taskId": task_id, "selectAll": select_all}
        if select_all != 1:
            data["ids"] = ids_list
        if status:
            data["status"] = status
        return data

    def restart_frame(self, task_id, select_all=1, ids_list=None, status=None):
        return self.c.post("/api/render/handle/recommitTaskFrames",
                           self._frame_selection(task_id, select_all, ids_list, status))

    def stop_frame(self, task_id, select_all=1, ids_list=None, status=None):
        return self.c.post("/api/render/handle/stopTaskFrames",
                           self._frame_selection(task_id, select_all, ids_list, status))

    def get_custome_frames(self, task_id, restart_frames):
        frames = self.get_all_frames(task_id)
        ids = [f["id"] for index, f in frames.items() if str(index) in restart_frames]
        return self.restart_frame(task_id, select_all=0, ids_list=ids)

    def frame_number_to_stop(self, task_id, stop_frames):
        frames = self.get_all_frames(task_id)
        ids = [f["id"] for index, f in frames.items() if str(index) in stop_frames]
        return self.stop_frame(task_id, select_all=0, ids_list=ids)

    def task_info(self, ids):
        return self.c.post("/api/render/handle/queryTaskInfo/v2", {"taskIds": ids})

    def get_small_task_id(self, task_id):
        items = self.task_info([int(task_id)]).get("items")
        if items:
            children = items[0].get("respRenderingTaskList", [])
            return [child["id"] for child in children]
        return [int(task_id)]

    def supported_software(self):
        return self.c.post("/api/render/plugin/querySoftwareList")

    def supported_plugin(self, name, os_name="linux"):
        return self.c.post("/api/render/plugin/querySoftwareDetail",
                           {"cgId": int(DCC_IDS[name.strip()]), "osName": os_name})

    def get_transfer_server_msg(self):
        return self.c.post("/api/render/transfer/getServerInfo", {"zone": 1})

    def get_raysync_user_key(self):
        return self.c.post("/api/render/transfer/getRaySyncUserKey")

    def get_task_processing_img(self, task_id, frame_type=None):
        data = {"taskId": task_id}
        if frame_type:
            data["frameType"] = frame_type
        return self.c.post("/api/render/handle/loadTaskProcessImg", data)

    def get_render_log(self, renderingType="render", pageNum=1, pageSize=1, frame_id=None):
        return self.c.post("/api/render/handle/showLog",
                           {"renderingType": renderingType, "pageNum": pageNum, "pageSize": pageSize, "id": frame_id})

    # --- tag operator
    def add_label(self, new_name, status=1):
        return self.c.post("/api/render/project/add", {"newName": new_name, "status": int(status)})

    def delete_label(self, del_name):
        return self.c.post("/api/render/project/delete", {"delName": del_name})

    def get_project_list(self):
        return self.c.post("/api/render/project/getList")["projectNameList"]

    def get_list(self, flag=0):
        return self.c.post("/api/render/project/list", {"flag": flag})

    def add_task_tag(self, tag, task_ids):
        return self.c.post("/api/render/handle/addTaskLabel", {"label": tag, "taskIds": task_ids})

    def delete_task_tag(self, task_ids, label_names, tag_ids=None):
        return self.c.post("/api/render/handle/deleteTaskLabel",
                           {"taskIds": task_ids, "labelNames": label_names, "labelIds": tag_ids if tag_ids else []})

    # --- env operator
    def add_render_env(self, data):
        return self.c.post("/api/render/plugin/addUserPluginConfig", data)

    def update_render_env(self, data):
        return self.c.post("/api/render/plugin/editUserPluginConfig", data)

    def set_default_render_env(self, edit_name):
        return self.c.post("/api/render/plugin/setDefaultUserPluginConfig", {"editName": edit_name})

    def delete_render_env(self, edit_name):
        return self.c.post("/api/render/plugin/deleteUserPluginConfig", {"editName": edit_name})

    def get_render_env(self, name=None, cg_names=None, os_name=1):
        data = {}
        if name:
            data = {"cgId": DCC_IDS[name]}
        if cg_names:
            data["cgIds"] = [DCC_IDS[n] for n in cg_names]
        if os_name or os_name == 0:
            data["osName"] = os_name
        return self.c.post("/api/render/plugin/getUserPluginConfig", data)

    # --- transmit operator
    def upload_json_content(self, task_id, content, file_name="task.json"):
        return self.c.post("/api/render/submit/taskJsonFile",
                           {"taskId": task_id, "fileName": file_name, "content": content})

    def get_transfer_config(self):
        return self.c.post("/api/render/transfer/getConfig")

    def get_output_files(self, task_id=None, tree_path="/"):
        data = {"treePath": tree_path}
        if task_id:
            data["taskId"] = task_id
            data["treePath"] = "/"
        return self.c.post("/api/render/file/operate/getOutputUserDirFile", data)


def refused(call):
    """The code and message of a call expected to fail."""
    try:
        call()
    except FarmError as err:
        return {"code": err.code, "message": err.message}
    return {"code": 200, "message": ""}


def main():
    access_id, access_key, host, scenario_path = sys.argv[1:5]
    scenario = json.load(open(scenario_path, encoding="utf-8"))
    api = Api(Connect(access_id, access_key, host))
    out = {}

    api.login()
    out["login"] = {"user_name": api.info["user_name"], "input_bid": api.info["input_bid"]}
    api.update_user_settings(7200)
    out["hardware"] = [h["model"] for h in api.get_hardware_config()]
    out["taskRecord"] = api.task_record()["total"]
    out["loginRecord"] = api.login_record()["total"]
    out["platforms"] = [p["platform"] for p in api.platforms()]
    out["errorDetail"] = [d["code"] for d in api.error_detail(code="15000", language=0)]
    out["software"] = [s["cgName"] for s in api.supported_software()["renderInfoList"]]
    out["blenderVersions"] = [v["cgVersion"] for v in api.supported_plugin("blender")["cgVersion"]]
    out["serverMsg"] = sorted(api.get_transfer_server_msg().keys())
    out["raysyncKey"] = "raySyncUserKey" in api.get_raysync_user_key()
    out["transferConfig"] = [e["engineName"] for e in api.get_transfer_config()["resqEngines"]]

    # Two tasks: a layered Maya one (children) and a Blender one (none).
    created = {}
    for kind in ("maya", "blender"):
        task_id = api.create_task(count=1, task_user_level=50, labels=["python"], artist="ana")["taskIdList"][0]
        task = json.loads(scenario[kind])
        task["task_info"]["task_id"] = str(task_id)
        api.upload_json_content(task_id, json.dumps(task))
        api.submit_task(task_id, producer="ana")
        created[kind] = task_id
    maya, blender = created["maya"], created["blender"]

    # The reference's own helpers over the answers.
    out["smallMaya"] = api.get_small_task_id(maya)
    out["smallBlender"] = api.get_small_task_id(blender)
    info = api.task_info([blender])["items"][0]
    out["blenderChildren"] = info["respRenderingTaskList"]
    layer = out["smallMaya"][0]
    frames = api.get_all_frames(layer, page_size=3)
    out["frameIndexes"] = sorted(frames.keys())
    out["layerTotal"] = api.task_frames(layer, page_size=1)["total"]
    first = frames[out["frameIndexes"][0]]
    out["renderLog"] = api.get_render_log(frame_id=first["id"])["total"]
    api.frame_number_to_stop(layer, ["1"])
    api.get_custome_frames(layer, ["1"])
    api.stop_frame(layer)
    api.restart_frame(layer, status=[3])
    api.restart_failed_frames([maya])
    out["frameStats"] = sorted(api.all_frame_status().keys())
    out["taskList"] = api.get_task_list(page_num=1, page_size=10, status_list=[0, 5], search_keyword="")["total"]
    out["processImg"] = sorted(api.get_task_processing_img(maya, frame_type=5).keys())
    out["outputs"] = api.get_output_files(task_id=maya)

    # Actions with ids as ints, then as the text a command line hands over.
    api.update_priority(maya, 60)
    api.set_task_overtime_top([maya], 3600)
    api.stop_task([maya])
    api.start_task([maya])
    api.full_speed([maya])
    api.update_priority(str(maya), "70")
    api.set_task_overtime_top([str(maya), str(blender)], "5400")
    api.stop_task([str(blender)])
    text_info = api.task_info([str(maya)])["items"][0]
    out["afterText"] = {"taskUserLevel": text_info["taskUserLevel"], "overTimeStop": text_info["overTimeStop"]}
    out["framesText"] = api.task_frames(str(layer), page_num="1", page_size="2")["size"]

    # Projects and labels.
    api.add_label("shots", status=1)
    out["projects"] = [p["projectName"] for p in api.get_project_list()]
    out["projectList"] = [p["projectName"] for p in api.get_list(flag=0)["projectNameList"]]
    api.add_task_tag("hero", [maya])
    api.delete_task_tag([maya], ["hero"])
    api.delete_label("shots")

    # Render environments, cg ids straight from the reference's text table.
    env = {"cgId": DCC_IDS["blender"], "cgName": "Blender", "cgVersion": "3.4", "editName": "b34",
           "renderSystem": 0, "pluginIds": []}
    api.add_render_env(env)
    api.update_render_env(dict(env, cgVersion="3.5"))
    api.set_default_render_env("b34")
    out["envsByNames"] = [e["editName"] for e in api.get_render_env(cg_names=["blender"], os_name=0)]
    out["envsByName"] = [e["editName"] for e in api.get_render_env(name="blender", os_name="0")]
    out["envsOther"] = [e["editName"] for e in api.get_render_env(cg_names=["maya"], os_name=0)]
    api.delete_render_env("b34")

    # Still refused, with the field named: text that is not a decimal number.
    out["badCgIds"] = refused(lambda: api.c.post("/api/render/plugin/getUserPluginConfig",
                                                 {"cgIds": ["blender"], "osName": 0}))
    out["badTaskIds"] = refused(lambda: api.stop_task(["12a"]))
    out["badFloatText"] = refused(lambda: api.update_priority(maya, "60.5"))
    out["badRange"] = refused(lambda: api.c.post("/api/render/plugin/querySoftwareDetail", {"cgId": "1999"}))

    api.abort_task([blender])
    api.delete_task([blender])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
