"""Writes openfarm's sample scene: an animated .blend for the demo and the tests.

Run by generate.ts as
    blender -b --factory-startup --python make_sample_scene.py -- OUT_DIR ABS_TEXTURE_REF
It writes
    OUT_DIR/sample.blend                  the scene
    OUT_DIR/textures/checker.png          referenced RELATIVELY as //textures/checker.png
    OUT_DIR/elsewhere/stripes.png         the bytes of the texture referenced by ABS_TEXTURE_REF

ABS_TEXTURE_REF is the absolute path stored in the scene for the second texture, verbatim. It may
name another machine (C:\\Projects\\demo\\textures\\stripes.png): the farm must find the file
through its path mapping, not through the path itself.

Layout seen by the camera (64x64 by default, Cycles, emission shaders so colours do not depend
on lighting): the left half is a plane showing the relative texture (green/blue checker), the
right half a plane showing the absolute-path texture (orange/white stripes); a small white cube
and a sphere move across the top. A missing texture renders as magenta (1, 0, 1).
"""

import math
import os
import sys

import bpy

argv = sys.argv[sys.argv.index("--") + 1:]
out_dir = os.path.abspath(argv[0])
abs_ref = argv[1]
size = int(argv[2]) if len(argv) > 2 else 64
frames = int(argv[3]) if len(argv) > 3 else 24

os.makedirs(os.path.join(out_dir, "textures"), exist_ok=True)
os.makedirs(os.path.join(out_dir, "elsewhere"), exist_ok=True)
bpy.ops.wm.read_factory_settings(use_empty=True)


def write_texture(path, name, pixel):
    """Generate a 32x32 texture with pixel(x, y) -> (r, g, b) and save it as PNG."""
    img = bpy.data.images.new(name, 32, 32)
    px = []
    for y in range(32):
        for x in range(32):
            px.extend(pixel(x, y) + (1.0,))
    img.pixels = px
    img.filepath_raw = path
    img.file_format = "PNG"
    img.save()
    bpy.data.images.remove(img)


write_texture(
    os.path.join(out_dir, "textures", "checker.png"),
    "checker_gen",
    lambda x, y: (0.1, 0.8, 0.2) if (x // 8 + y // 8) % 2 == 0 else (0.1, 0.2, 0.9),
)
write_texture(
    os.path.join(out_dir, "elsewhere", "stripes.png"),
    "stripes_gen",
    lambda x, y: (1.0, 0.5, 0.0) if (x // 4) % 2 == 0 else (1.0, 1.0, 1.0),
)

scene = bpy.context.scene
scene.name = "Main"
scene.render.engine = "CYCLES"
scene.cycles.samples = 4
scene.cycles.device = "CPU"
scene.cycles.use_denoising = False
scene.view_layers[0].cycles.use_denoising = False
scene.render.resolution_x = size
scene.render.resolution_y = size
scene.render.resolution_percentage = 100
scene.render.image_settings.file_format = "PNG"
scene.render.filepath = "//render/sample_####"
scene.frame_start = 1
scene.frame_end = frames
scene.world = bpy.data.worlds.new("World")
scene.world.color = (0.02, 0.02, 0.02)


def emission_material(name, image):
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    nodes.clear()
    out = nodes.new("ShaderNodeOutputMaterial")
    emit = nodes.new("ShaderNodeEmission")
    links.new(emit.outputs["Emission"], out.inputs["Surface"])
    if image is not None:
        tex = nodes.new("ShaderNodeTexImage")
        tex.image = image
        tex.interpolation = "Closest"
        links.new(tex.outputs["Color"], emit.inputs["Color"])
    else:
        emit.inputs["Color"].default_value = (1, 1, 1, 1)
    return mat


# Relative reference: resolved against the .blend's own folder wherever it is staged.
checker = bpy.data.images.load(os.path.join(out_dir, "textures", "checker.png"))
checker.filepath = "//textures/checker.png"
# Absolute reference, stored verbatim (possibly another machine's path).
stripes = bpy.data.images.load(os.path.join(out_dir, "elsewhere", "stripes.png"))
stripes.filepath = abs_ref

bpy.ops.mesh.primitive_plane_add(size=2, location=(-1.0, 0, 0))
bpy.context.active_object.name = "PlaneRelative"
bpy.context.active_object.data.materials.append(emission_material("Relative", checker))
bpy.ops.mesh.primitive_plane_add(size=2, location=(1.0, 0, 0))
bpy.context.active_object.name = "PlaneAbsolute"
bpy.context.active_object.data.materials.append(emission_material("Absolute", stripes))

white = emission_material("White", None)
bpy.ops.mesh.primitive_cube_add(size=0.3, location=(-1.5, 0.7, 0.3))
cube = bpy.context.active_object
cube.name = "MovingCube"
cube.data.materials.append(white)
bpy.ops.mesh.primitive_uv_sphere_add(radius=0.15, location=(1.5, 0.75, 0.3))
sphere = bpy.context.active_object
sphere.name = "MovingSphere"
sphere.data.materials.append(white)
for obj, x0, x1 in ((cube, -1.5, 1.5), (sphere, 1.5, -1.5)):
    obj.location.x = x0
    obj.keyframe_insert("location", frame=1)
    obj.location.x = x1
    obj.keyframe_insert("location", frame=frames)
cube.rotation_euler.z = 0
cube.keyframe_insert("rotation_euler", frame=1)
cube.rotation_euler.z = math.pi
cube.keyframe_insert("rotation_euler", frame=frames)

bpy.ops.object.camera_add(location=(0, 0, 4), rotation=(0, 0, 0))
cam = bpy.context.active_object
cam.data.type = "ORTHO"
cam.data.ortho_scale = 4.0
scene.camera = cam
bpy.ops.object.light_add(type="SUN", location=(2, 2, 5))

bpy.ops.wm.save_as_mainfile(filepath=os.path.join(out_dir, "sample.blend"), relative_remap=False)
print("SAMPLE_SCENE " + os.path.join(out_dir, "sample.blend"))
