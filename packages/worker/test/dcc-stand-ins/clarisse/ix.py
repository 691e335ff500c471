# Stand-in for Clarisse's `ix` module: objects with file attributes read from
# OPENFARM_STAND_IN (JSON list of [object, attribute, hint, value]).
import json, os


class _OfAttr(object):
    VISUAL_HINT_FILENAME_OPEN = 1
    VISUAL_HINT_FILENAME_SAVE = 2


class _Attr(object):
    def __init__(self, name, hint, value):
        self.name, self.hint, self.value = name, hint, value

    def get_name(self):
        return self.name

    def get_visual_hint(self):
        return self.hint

    def get_string(self):
        return self.value

    def set_string(self, value):
        self.value = value


class _Obj(object):
    def __init__(self, name):
        self.name, self.attrs = name, []

    def get_full_name(self):
        return self.name

    def get_attribute_count(self):
        return len(self.attrs)

    def get_attribute(self, i):
        return self.attrs[i]


class _OfObjectArray(list):
    def get_count(self):
        return len(self)


class api(object):
    OfAttr = _OfAttr
    OfObjectArray = _OfObjectArray


OBJECTS = []
for obj_name, attr, hint, value in json.loads(os.environ.get("OPENFARM_STAND_IN", "[]")):
    found = [o for o in OBJECTS if o.name == obj_name]
    obj = found[0] if found else _Obj(obj_name)
    if not found:
        OBJECTS.append(obj)
    obj.attrs.append(_Attr(attr, _OfAttr.VISUAL_HINT_FILENAME_SAVE if hint == "save" else _OfAttr.VISUAL_HINT_FILENAME_OPEN, value))


class _Factory(object):
    def get_all_objects(self, class_name, array):
        array.extend(OBJECTS)


class application(object):
    @staticmethod
    def get_factory():
        return _Factory()


def dump():
    return [[o.name, a.name, a.value] for o in OBJECTS for a in o.attrs]
