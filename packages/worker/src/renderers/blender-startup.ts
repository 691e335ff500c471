/**
 * The Python snippet Blender runs after loading the scene (`--python FILE`).
 *
 * 1. Path remapping. A scene saved on another machine keeps that machine's
 *    absolute paths (`C:\Projects\demo\tex.png`, `/Users/artist/tex.png`). The
 *    farm stages every input at its server path (the reference's mapping:
 *    `C:\x` → `/C/x`, `\\srv\share` → `/srv/share`, POSIX kept) under a staging
 *    root, so each image, library, cache file, sound, movie clip, volume and
 *    font path is rewritten to `<root><server path>` when that file is staged.
 *    Relative `//` paths need nothing: the .blend itself sits at its server path
 *    in the same tree. Paths whose file is not staged are left alone and listed,
 *    so a missing texture shows in the log rather than silently.
 * 2. Denoising off: Debian's Blender is built without OpenImageDenoise and a
 *    Cycles render with denoising on aborts ("Build without OpenImageDenoiser").
 */

export interface BlenderStartupOptions {
  readonly stagingRoot: string;
  /** Turn Cycles denoising off (the build lacks OpenImageDenoise). */
  readonly disableDenoising: boolean;
}

const SNIPPET = String.raw`
import json, os, re
import bpy

def _server_path(p):
    p = p.replace("\\", "/")
    if re.match(r"^[A-Za-z]:", p):
        return re.sub(r"/{2,}", "/", "/" + p.replace(":", ""))
    if p.startswith("//"):
        return p[1:]
    return p

def _remap(block_kind, block):
    path = block.filepath
    if not path or path.startswith("//"):
        return
    staged = os.path.normpath(CFG["staging_root"] + _server_path(path))
    if os.path.exists(staged):
        if staged != path:
            block.filepath = staged
            print("OPENFARM remap %s %r -> %r" % (block_kind, path, staged))
    elif not os.path.exists(path):
        print("OPENFARM missing %s %r" % (block_kind, path))

for kind in ("images", "libraries", "cache_files", "sounds", "movieclips", "volumes", "fonts"):
    for block in getattr(bpy.data, kind, []):
        if getattr(block, "packed_file", None) is not None:
            continue
        if kind == "fonts" and block.filepath == "<builtin>":
            continue
        _remap(kind, block)

if bpy.data.libraries:
    for lib in bpy.data.libraries:
        try:
            lib.reload()
        except Exception as exc:
            print("OPENFARM library reload failed %r: %s" % (lib.filepath, exc))

if CFG["disable_denoising"]:
    for scene in bpy.data.scenes:
        if hasattr(scene, "cycles"):
            scene.cycles.use_denoising = False
            scene.cycles.use_preview_denoising = False
        for layer in scene.view_layers:
            if hasattr(layer, "cycles"):
                layer.cycles.use_denoising = False
`;

/** The snippet's source, with its settings embedded as JSON. */
export function blenderStartupScript(opts: BlenderStartupOptions): string {
  const cfg = JSON.stringify({ staging_root: opts.stagingRoot, disable_denoising: opts.disableDenoising });
  // JSON is valid Python literal syntax except for true/false/null, which json.loads handles.
  return `CFG = __import__("json").loads(${JSON.stringify(cfg)})\n${SNIPPET}`;
}
