/**
 * The Python loop a warm Blender runs after the startup snippet
 * (`--python STARTUP.py --python SERVER.py`): the scene is loaded, remapped
 * and set up exactly as for a cold render, then instead of exiting, Blender
 * reads one JSON request per line on its stdin:
 *   {"id": 7, "output": "/out/scene_####", "start": 3, "end": 3, "step": 1}
 * renders that range through the same code path as the command line's `-a`
 * (RE_RenderAnim, via `render.render(animation=True)` on a temporary frame
 * range, restored afterwards), and answers on stdout with one line:
 *   OPENFARM_WARM {"id": 7, "ok": true, "rss": 123456789}
 * A request `{"id": 8, "ping": true}` is answered the same way without
 * rendering: the node asks it before it hands an idle session a frame.
 * Blender's own lines (`Fra:`, `Saved:`) come through C stdio, which is block
 * buffered on a pipe: both it and Python's buffer are flushed before the
 * answer, so every `Saved:` line of a request precedes its answer. End of
 * stdin (the node closed the pipe or died) ends Blender.
 */
export const WARM_MARK = 'OPENFARM_WARM ';

export const BLENDER_WARM_SERVER = String.raw`
import ctypes, json, sys, traceback
import bpy

_libc = ctypes.CDLL(None)

def _flush():
    sys.stdout.flush()
    sys.stderr.flush()
    _libc.fflush(None)

def _rss():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096
    except Exception:
        return 0

def _answer(obj):
    _flush()
    sys.stdout.write("OPENFARM_WARM " + json.dumps(obj) + "\n")
    _flush()

_answer({"id": 0, "ok": True, "ready": True, "rss": _rss()})
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    req = json.loads(line)
    if req.get("ping"):
        # A liveness probe between frames: answered at once, nothing rendered.
        _answer({"id": req["id"], "ok": True, "rss": _rss()})
        continue
    scene = bpy.context.scene
    saved = (scene.frame_start, scene.frame_end, scene.frame_step, scene.render.filepath)
    try:
        scene.render.filepath = req["output"]
        # Start first lowered or end first raised, so the range is never inverted in between.
        scene.frame_start = min(scene.frame_start, req["start"])
        scene.frame_end = req["end"]
        scene.frame_start = req["start"]
        scene.frame_step = req["step"]
        bpy.ops.render.render(animation=True)
        _answer({"id": req["id"], "ok": True, "rss": _rss()})
    except Exception as exc:
        traceback.print_exc()
        _answer({"id": req["id"], "ok": False, "error": str(exc), "rss": _rss()})
    finally:
        scene.frame_start = min(scene.frame_start, saved[0])
        scene.frame_end = saved[1]
        scene.frame_start = saved[0]
        scene.frame_step = saved[2]
        scene.render.filepath = saved[3]
`;
