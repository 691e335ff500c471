import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnalyzeError } from '../src/index.js';
import { parseChannels } from '../src/houdini/chn-parser.js';
import { readHipArchive } from '../src/houdini/container.js';
import { parseDefinition } from '../src/houdini/def-parser.js';
import { expandHoudiniString } from '../src/houdini/expand.js';
import { parseStart, parseVariables } from '../src/houdini/globals.js';
import { baseTypeName, childContext } from '../src/houdini/node-context.js';
import { evaluateNumber } from '../src/houdini/numeric-expression.js';
import { parseParms } from '../src/houdini/parm-parser.js';
import { sectionText } from '../src/houdini/section.js';
import { fileTypedSpareParms } from '../src/houdini/spareparm-parser.js';
import type { HipEnvironment } from '../src/houdini/variables.js';
import { buildHip, buildHipMarkers } from './fixtures/houdini/hip-builder.js';

const env: HipEnvironment = {
  vars: new Map([
    ['HIP', '/shots/a'],
    ['HIPNAME', 'scene'],
    ['SHOT', 'sh010'],
  ]),
  env: { EXTRA: '/env/extra' },
  fps: 24,
  frameStart: 1,
  frameEnd: 240,
};

function rejects(bytes: Uint8Array, code: string, message: RegExp): void {
  assert.throws(
    () => readHipArchive(bytes, 'x.hip'),
    (e: unknown) => e instanceof AnalyzeError && e.code === code && message.test(e.message),
  );
}

describe('containers', () => {
  const sections = [
    ['.start', 'fps 24\n'],
    ['obj/geo1.init', 'type = geo\n'],
  ] as const;

  test('cpio and marker files yield the same sections; the container comes from the bytes', () => {
    const cpio = readHipArchive(buildHip(sections));
    const nc = readHipArchive(buildHipMarkers(sections, 'NC'));
    const lc = readHipArchive(buildHipMarkers(sections, 'LC'));
    assert.equal(cpio.container, 'cpio');
    assert.equal(nc.container, 'apprentice');
    assert.equal(lc.container, 'indie');
    const texts = (a: typeof cpio) =>
      a.sections.filter((s) => s.name !== 'NON_COMMERCIAL_FILE!!!').map((s) => [s.name, sectionText(s)]);
    assert.deepEqual(texts(cpio), sections);
    assert.deepEqual(texts(nc), sections);
    assert.deepEqual(texts(lc), sections);
  });

  test('damaged cpio archives are rejected with the byte position', () => {
    const hip = buildHip(sections);
    rejects(hip.subarray(0, 50), 'TRUNCATED', /header at byte 0 is cut short/);
    rejects(hip.subarray(0, hip.length - 90), 'TRUNCATED', /declares|without TRAILER/);
    const inflated = hip.slice();
    // filesize field of the first entry → 77777777777 octal (8 GiB).
    inflated.set(new TextEncoder().encode('77777777777'), 65);
    rejects(inflated, 'TRUNCATED', /declares 7\+8589934591 bytes/);
    const badOctal = hip.slice();
    badOctal[60] = 0x39;
    rejects(badOctal, 'CORRUPT', /non-octal/);
  });

  test('wrong formats are named', () => {
    rejects(
      new TextEncoder().encode('#Isotropix_Serial_Version 1.2\n'),
      'WRONG_FORMAT',
      /not a Houdini scene/,
    );
    rejects(new Uint8Array(0), 'WRONG_FORMAT', /not a Houdini scene/);
  });
});

describe('.parm', () => {
  test('literals, quoted multi-line strings, channel references and escapes', () => {
    const parms = parseParms(
      [
        '{',
        'version 0.8',
        'f\t[ 0\tlocks=0\tautoscope=0 ]\t(\t[ f1\t1 ] \t[ f2\t240 ] \t1\t)',
        'text\t[ 0\tlocks=0 ]\t(\t"Frame: $F',
        '$HIP"\t)',
        'filter\t[ 0\tlocks=0 ]\t(\t[\\"ubox\\",{}]\t)',
        'win\t[ 0\tlocks=0 ]\t(\tC:\\\\Users\\\\me\\\\t.png\t)',
        'warn\t[ 0\tlocks=0 ]\t(\t"say \\"\\\\$F\\""\t)',
        'empty\t[ 0\tlocks=0 ]\t(\t)',
        'broken line without brackets',
        'label\t[ 8\tlocks=0 ]\t(\t[ label\t"a b.rat" ] \t)',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(parms.get('f'), [
      { kind: 'channel', channel: 'f1', cached: '1' },
      { kind: 'channel', channel: 'f2', cached: '240' },
      { kind: 'literal', text: '1' },
    ]);
    assert.deepEqual(parms.get('text'), [{ kind: 'literal', text: 'Frame: $F\n$HIP' }]);
    assert.deepEqual(parms.get('filter'), [{ kind: 'literal', text: '["ubox",{}]' }]);
    assert.deepEqual(parms.get('win'), [{ kind: 'literal', text: 'C:\\Users\\me\\t.png' }]);
    assert.deepEqual(parms.get('warn'), [{ kind: 'literal', text: 'say "\\$F"' }]);
    assert.deepEqual(parms.get('empty'), []);
    assert.equal(parms.has('broken'), false);
    assert.deepEqual(parms.get('label'), [{ kind: 'channel', channel: 'label', cached: 'a b.rat' }]);
  });
});

describe('.chn', () => {
  test('bare, escaped-string, multi-line and python expressions', () => {
    const channels = parseChannels(
      [
        '{',
        '    channel f1 {',
        '      default = 1',
        '      segment { length = 0 value = 1 1 expr = $FSTART }',
        '    }',
        '    channel vm_picture {',
        '      defaultString = \\"/old/render.0001.exr\\"',
        '      segment { options = {\t autoslope  ai ao }',
        '',
        '\t length = 0 accel = 0.3 0.3 expr = \\"$HIP/render/$HIPNAME.$OS.$F4.exr\\" }',
        '    }',
        '    channel frame {',
        '      segment { length = 0 expr = "{',
        '    if(ch(\\"timedependent\\")) { return $F; }',
        '}" }',
        '    }',
        '    channel tx {',
        '      segment { length = 0 expr = "hou.frame() * 2" language = python }',
        '    }',
        '  }',
      ].join('\n'),
    );
    assert.equal(channels.get('f1')?.expr, '$FSTART');
    assert.equal(channels.get('f1')?.value, 1);
    assert.equal(channels.get('f1')?.defaultNumber, 1);
    assert.equal(channels.get('vm_picture')?.expr, '"$HIP/render/$HIPNAME.$OS.$F4.exr"');
    assert.equal(channels.get('vm_picture')?.defaultString, '/old/render.0001.exr');
    assert.equal(channels.get('frame')?.expr, '{\n    if(ch("timedependent")) { return $F; }\n}');
    assert.equal(channels.get('tx')?.language, 'python');
    assert.equal(channels.size, 4);
  });
});

describe('.def, .init, .spareparmdef, globals', () => {
  test('flags and wired inputs in input order', () => {
    const def = parseDefinition(
      'flags =  lock off bypass on display off\ninputs\n{\n1 \tb 0 1\n0 \ta 0 1\n}\nend\n',
    );
    assert.equal(def.flags.get('bypass'), true);
    assert.equal(def.flags.get('lock'), false);
    assert.deepEqual(def.inputs, ['a', 'b']);
  });

  test('spare parms typed file/image/geometry are paths', () => {
    const names = fileTypedSpareParms(
      'group {\n  parm {\n    name "tex"\n    type image\n    default { "" }\n  }\n  parm {\n    name "amount"\n    type float\n  }\n}\nparm {\n    name "cache"\n    label "Cache"\n    type file\n}\n',
    );
    assert.deepEqual([...names].sort(), ['cache', 'tex']);
  });

  test('.variables and .start', () => {
    const vars = parseVariables(
      "set -g HIP = '/a b'\nset -g _HIP_SAVEVERSION = '19.0.383.26'\nset -g Q = 'it\\'s'\n",
    );
    assert.equal(vars.get('HIP'), '/a b');
    assert.equal(vars.get('_HIP_SAVEVERSION'), '19.0.383.26');
    assert.equal(vars.get('Q'), "it's");
    assert.deepEqual(parseStart('tcur 0.5\nfps 25\nfrange 1001 1100\n'), {
      fps: 25,
      frameStart: 1001,
      frameEnd: 1100,
      currentTime: 0.5,
    });
    assert.deepEqual(parseStart('garbage\nfps -3\n'), {
      fps: 24,
      frameStart: 1,
      frameEnd: 240,
      currentTime: 0,
    });
  });

  test('context comes from the parent network', () => {
    assert.equal(childContext('OBJ', 'geo'), 'SOP');
    assert.equal(childContext('OBJ', 'subnet'), 'OBJ');
    assert.equal(childContext('SOP', 'chopnet'), 'CHOP');
    assert.equal(childContext('SOP', 'ropnet'), 'ROP');
    assert.equal(childContext('LOP', 'materiallibrary'), 'VOP');
    assert.equal(childContext('SOP', 'labs::some_hda'), 'SOP');
    assert.equal(baseTypeName('filecache::2.0'), 'filecache');
    assert.equal(baseTypeName('labs::vertex_animation_textures::3.0'), 'vertex_animation_textures');
    assert.equal(baseTypeName('Redshift_ROP'), 'Redshift_ROP');
  });
});

describe('expressions', () => {
  test('string expansion: variables, $OS, frame tokens kept for the resolver', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Houdini's own ${NAME} syntax under test
    const e = expandHoudiniString('$HIP/render/${HIPNAME}_$SHOT.$OS.$F4.exr', env, { nodeName: 'mantra1' });
    assert.deepEqual(e, {
      ok: true,
      value: '/shots/a/render/scene_sh010.mantra1.$F4.exr',
    });
    const f = expandHoudiniString('$HIP/x.$F4.$F.$SF.$FF.exr', env, { nodeName: 'n' });
    assert.deepEqual(f, { ok: true, value: '/shots/a/x.$F4.$F.$SF.$FF.exr' });
    assert.deepEqual(expandHoudiniString('$EXTRA/a', env, { nodeName: 'n' }), {
      ok: true,
      value: '/env/extra/a',
    });
    assert.deepEqual(expandHoudiniString('$NOPE/a', env, { nodeName: 'n' }), {
      ok: false,
      reason: 'unknown variable $NOPE',
    });
    assert.deepEqual(expandHoudiniString('`chs("x")`.exr', env, { nodeName: 'n' }), {
      ok: false,
      reason: 'backtick expression',
    });
    assert.equal(expandHoudiniString('price \\$5', env, { nodeName: 'n' }).ok, true);
  });

  test('numeric subset: globals, arithmetic, ch() and refusal of the rest', () => {
    const ch = (name: string) => (name === 'f1' ? 10 : undefined);
    assert.equal(evaluateNumber('$FSTART', env, ch), 1);
    assert.equal(evaluateNumber('$FEND', env, ch), 240);
    assert.equal(evaluateNumber('$RFEND - 10', env, ch), 230);
    assert.equal(evaluateNumber('($FEND - $FSTART + 1) / 2', env, ch), 120);
    assert.equal(evaluateNumber('ch("f1") * 2 + -1', env, ch), 19);
    assert.equal(evaluateNumber('max($FSTART, 5)', env, ch), 5);
    assert.equal(evaluateNumber('ch("../f1")', env, ch), undefined);
    assert.equal(evaluateNumber('@fstart', env, ch), undefined);
    assert.equal(evaluateNumber('$F', env, ch), undefined);
    assert.equal(evaluateNumber('1 / 0', env, ch), undefined);
    assert.equal(evaluateNumber('opinput(".", 0)', env, ch), undefined);
    assert.equal(evaluateNumber('('.repeat(1000) + '1' + ')'.repeat(1000), env, ch), undefined);
  });
});
