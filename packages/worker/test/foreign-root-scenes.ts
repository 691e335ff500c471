/**
 * Small scenes written by the tests (no third party's file) whose paths name
 * the roots of an artist's machine that the corpus scenes never hold: a
 * Windows UNC share (`\\fileserver\projects\…`) and a macOS volume
 * (`/Volumes/Projects/…`). One per DCC, in each DCC's own file format:
 * Maya ASCII (file textures and a reference), a Houdini `.hip` (`$JOB` saved
 * as the UNC share, a file parm under `/Volumes`), a Clarisse `.project`
 * (file attributes on both).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildHip,
  defSection,
  parmLine,
  parmSection,
} from '../../analyzers/test/fixtures/houdini/hip-builder.js';

/** The UNC share as Windows writes it, and its `$JOB` folder. */
export const UNC_JOB = '\\\\fileserver\\projects\\job';
export const UNC_TEXTURE = `${UNC_JOB}\\tex\\wood.png`;
export const UNC_REFERENCE = `${UNC_JOB}\\assets\\set.ma`;
/**
 * `$JOB` as Houdini saves it in `.variables`: Houdini keeps paths with forward
 * slashes on Windows too, so a UNC share reads `//server/share/…`.
 */
export const UNC_JOB_HOUDINI = '//fileserver/projects/job';
export const MAC_TEXTURE = '/Volumes/Projects/shot/tex/brick.png';
export const MAC_REFERENCE = '/Volumes/Projects/shot/assets/prop.ma';
export const MAC_CACHE = '/Volumes/Projects/shot/cache/rock.abc';

/** A MEL string literal: backslashes and quotes escaped as Maya writes them. */
function mel(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function writeMayaScene(dir: string): string {
  const file = join(dir, 'foreign_roots.ma');
  writeFileSync(
    file,
    [
      '//Maya ASCII 2023 scene',
      '//Name: foreign_roots.ma',
      '//Codeset: UTF-8',
      `file -r -ns "set" -rfn "setRN" -typ "mayaAscii" ${mel(UNC_REFERENCE)};`,
      `file -r -ns "prop" -rfn "propRN" -typ "mayaAscii" ${mel(MAC_REFERENCE)};`,
      'requires maya "2023";',
      'createNode file -n "wood";',
      `\tsetAttr ".ftn" -type "string" ${mel(UNC_TEXTURE)};`,
      'createNode file -n "brick";',
      `\tsetAttr ".ftn" -type "string" ${mel(MAC_TEXTURE)};`,
      '// End of foreign_roots.ma',
      '',
    ].join('\n'),
  );
  return file;
}

export function writeHoudiniScene(dir: string): string {
  const file = join(dir, 'foreign_roots.hip');
  const bytes = buildHip([
    [
      '.start',
      'fplayback -i on -r off -f 1 -e on -h on -t on -a on -k on -s 1\ntcur 0\nfps 24\nfrange 1 10\nunitlength 1\n',
    ],
    ['.variables', `set -g JOB = '${UNC_JOB_HOUDINI}'\nset -g _HIP_SAVEVERSION = '19.5.303'\n`],
    ['obj.def', defSection()],
    ['obj.parm', parmSection()],
    ['obj/geo1.init', 'type = geo\nmatchesdef = 0\n'],
    ['obj/geo1.def', defSection()],
    ['obj/geo1.parm', parmSection()],
    ['obj/geo1/rock.init', 'type = alembic\nmatchesdef = 0\n'],
    ['obj/geo1/rock.def', defSection()],
    ['obj/geo1/rock.parm', parmSection(parmLine('fileName', MAC_CACHE))],
    ['obj/geo1/wood.init', 'type = file\nmatchesdef = 0\n'],
    ['obj/geo1/wood.def', defSection()],
    ['obj/geo1/wood.parm', parmSection(parmLine('file', '$JOB/geo/wood.bgeo.sc'))],
    ['out.def', defSection()],
    ['out.parm', parmSection()],
    ['out/mantra1.init', 'type = ifd\nmatchesdef = 0\n'],
    ['out/mantra1.def', defSection()],
    [
      'out/mantra1.parm',
      parmSection(
        parmLine('trange', '"normal"'),
        parmLine('f', '1', '10', '1'),
        parmLine('vm_picture', '$HIP/render/$HIPNAME.$OS.$F4.exr'),
      ),
    ],
  ]);
  writeFileSync(file, bytes);
  return file;
}

/** Clarisse writes a path attribute as a quoted string with backslashes doubled. */
function clarisseString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function writeClarisseProject(dir: string): string {
  const file = join(dir, 'foreign_roots.project');
  writeFileSync(
    file,
    [
      '#Isotropix_Serial_Version 1.2',
      '',
      '#Isotropix_Clarisse_Version 4',
      '#Isotropix_Clarisse_Project_Version 0.94',
      'Context "scene" {',
      '    CameraPerspective {',
      '        name "cam"',
      '    }',
      '    Image {',
      '        name "beauty"',
      '        first_frame 1',
      '        last_frame 10',
      '        layers ".hero"',
      '        embedded_objects {',
      '            Layer3d {',
      '                name "hero"',
      '                active_camera "project://scene/cam"',
      '                save_as "$PDIR/render/hero.####.exr"',
      '            }',
      '        }',
      '    }',
      '    TextureMapFile {',
      '        name "wood_tex"',
      `        filename ${clarisseString(UNC_TEXTURE)}`,
      '    }',
      '    GeometryPolyfile {',
      '        name "rock"',
      `        filename ${clarisseString(MAC_CACHE)}`,
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  return file;
}
