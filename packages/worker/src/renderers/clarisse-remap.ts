/**
 * The Python script CNode runs (`-script`) to point a project's file
 * attributes at the staged tree. Clarisse keeps file paths in object
 * attributes whose visual hint says "file to open"; the Path Manager's
 * search-and-replace does the same by hand. Each such attribute holding a path
 * of the artist's machine gets the longest matching directory replaced.
 * Output attributes (save hints) are left alone: `-output` decides where
 * images go.
 */
import { type PathMapEntry, pythonPathMapper } from './path-map.js';

export function clarisseRemapScript(maps: readonly PathMapEntry[]): string {
  return `
import ix
${pythonPathMapper(maps)}
_objects = ix.api.OfObjectArray()
ix.application.get_factory().get_all_objects("ProjectItem", _objects)
for _i in range(_objects.get_count()):
    _obj = _objects[_i]
    for _a in range(_obj.get_attribute_count()):
        _attr = _obj.get_attribute(_a)
        if _attr.get_visual_hint() != ix.api.OfAttr.VISUAL_HINT_FILENAME_OPEN:
            continue
        _old = _attr.get_string()
        _new = _mapped(_old)
        if _new != _old:
            _attr.set_string(_new)
            print("OPENFARM remap %s.%s %r -> %r" % (_obj.get_full_name(), _attr.get_name(), _old, _new))
`;
}
