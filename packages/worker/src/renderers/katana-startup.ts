/**
 * The startup script Katana runs before a batch render: `init.py` in the
 * `Startup` folder of a KATANA_RESOURCES entry (Katana's documented startup
 * scripts). It registers an `onSceneLoad` callback (Katana's Callbacks API)
 * that, once the project is loaded,
 * 1. rewrites every constant string parameter holding a path of the artist's
 *    machine to the staged tree (Katana has no path map of its own; its
 *    multi-platform guide leaves it to expressions and environment variables,
 *    which a farm cannot add to a finished project), expressions left alone;
 * 2. sends each RenderOutputDefine output to a file in the node's output
 *    folder, so what Katana writes is collected like every other renderer's.
 */
import { type PathMapEntry, pythonPathMapper } from './path-map.js';

export function katanaStartupScript(maps: readonly PathMapEntry[], outputDir: string): string {
  return `
import os
from Katana import Callbacks, NodegraphAPI

OUTPUT_DIR = ${JSON.stringify(outputDir)}
${pythonPathMapper(maps)}
def _remap(node, param):
    children = param.getChildren() or []
    for child in children:
        _remap(node, child)
    if children or param.getType() != "string" or param.isExpression():
        return
    old = param.getValue(0)
    new = _mapped(old)
    if new != old:
        param.setValue(new, 0)
        print("OPENFARM remap %s.%s %r -> %r" % (node.getName(), param.getFullName(), old, new))

def _set(node, name, value):
    param = node.getParameter(name + ".value")
    if param is None:
        return False
    param.setValue(value, 0)
    enable = node.getParameter(name + ".enable")
    if enable is not None:
        enable.setValue(1, 0)
    return True

def _on_scene_load(**kwargs):
    for node in NodegraphAPI.GetAllNodes():
        _remap(node, node.getParameters())
        if node.getType() != "RenderOutputDefine":
            continue
        name = node.getParameter("outputName").getValue(0)
        base = "args.renderSettings.outputs.outputName."
        target = os.path.join(OUTPUT_DIR, "%s.####.exr" % name)
        if _set(node, base + "locationType", "file") and _set(node, base + "locationSettings.renderLocation", target):
            print("OPENFARM output %s -> %s" % (name, target))

Callbacks.addCallback(Callbacks.Type.onSceneLoad, _on_scene_load)
`;
}
