# Stand-in for Katana's Python package: a node graph read from OPENFARM_STAND_IN
# (JSON list of [node, node type, parameter full name, value]) and the
# Callbacks registry; run_scene_load() fires what onSceneLoad registered.
import json, os


class _Param(object):
    def __init__(self, name, value=None, kind="string", expression=False):
        self.name, self.value, self.kind, self.expression, self.children = name, value, kind, expression, []

    def getChildren(self):
        return self.children

    def getType(self):
        return self.kind

    def isExpression(self):
        return self.expression

    def getValue(self, t):
        return self.value

    def setValue(self, value, t):
        self.value = value

    def getFullName(self):
        return self.name


class _Node(object):
    def __init__(self, name, kind):
        self.name, self.kind, self.root = name, kind, _Param(name, kind="group")

    def getName(self):
        return self.name

    def getType(self):
        return self.kind

    def getParameters(self):
        return self.root

    def getParameter(self, full):
        for p in _walk(self.root):
            if p.name == full:
                return p
        return None


def _walk(p):
    yield p
    for c in p.children:
        for d in _walk(c):
            yield d


NODES = []
for node_name, kind, param, value in json.loads(os.environ.get("OPENFARM_STAND_IN", "[]")):
    found = [n for n in NODES if n.name == node_name]
    node = found[0] if found else _Node(node_name, kind)
    if not found:
        NODES.append(node)
    is_expr = isinstance(value, dict)
    node.root.children.append(_Param(param, value["expression"] if is_expr else value, "number" if isinstance(value, int) else "string", is_expr))


class NodegraphAPI(object):
    @staticmethod
    def GetAllNodes():
        return list(NODES)


class Callbacks(object):
    class Type(object):
        onSceneLoad = "onSceneLoad"

    registered = []

    @staticmethod
    def addCallback(kind, fn):
        Callbacks.registered.append((kind, fn))


def run_scene_load():
    for kind, fn in Callbacks.registered:
        if kind == Callbacks.Type.onSceneLoad:
            fn(filename="scene.katana")


def dump():
    return [[n.name, p.name, p.value] for n in NODES for p in _walk(n.root) if p is not n.root]
