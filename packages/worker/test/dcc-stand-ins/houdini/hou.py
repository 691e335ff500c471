# Stand-in for Houdini's `hou` module: the scene's global variables and one
# ROP's output parm from OPENFARM_STAND_IN ({"vars": {...}, "rop": path,
# "parm": [name, unexpanded value]}); records what the script does.
import json, os

_CFG = json.loads(os.environ.get("OPENFARM_STAND_IN", "{}"))
STATE = {"loaded": None, "vars": dict(_CFG.get("vars", {})), "hscript": [], "render": None, "parms": {}}


class hipFile(object):
    @staticmethod
    def load(path, suppress_save_prompt=False, ignore_load_warnings=False):
        STATE["loaded"] = path


class _Parm(object):
    def __init__(self, name, value):
        self.name, self.value = name, value

    def unexpandedString(self):
        return self.value

    def set(self, value):
        self.value = value
        STATE["parms"][self.name] = value


class _Node(object):
    def __init__(self, path):
        self.path = path

    def name(self):
        return self.path.rsplit("/", 1)[-1]

    def parm(self, name):
        parm = _CFG.get("parm")
        return _Parm(name, parm[1]) if parm and parm[0] == name else None

    def render(self, frame_range=None, verbose=False, output_progress=False):
        STATE["render"] = list(frame_range)


def node(path):
    return _Node(path) if path == _CFG.get("rop") else None


def getenv(name, default=None):
    return STATE["vars"].get(name, default)


def putenv(name, value):
    STATE["vars"][name] = value


def hscript(command):
    STATE["hscript"].append(command)
    return ("", "")


def dump():
    return STATE
