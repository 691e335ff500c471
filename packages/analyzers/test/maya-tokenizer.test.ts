import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnalyzeError, getAttr, parseMayaAscii } from '../src/index.js';

const header = '//Maya ASCII 2024 scene\n//Codeset: UTF-8\nrequires maya "2024";\n';

describe('Maya ASCII tokenizer', () => {
  test('a semicolon or escaped quote inside a string does not end the statement', () => {
    const doc = parseMayaAscii(
      `${header}fileInfo "k1" "a;b \\"c;\\" d\\\\";\nfileInfo "k2" "x";\n` +
        'createNode file -n "f";\n\tsetAttr ".ftn" -type "string" "C:\\\\tex\\\\a;b.png";\n',
    );
    assert.equal(doc.fileInfo.get('k1'), 'a;b "c;" d\\');
    assert.equal(doc.fileInfo.get('k2'), 'x');
    assert.equal(getAttr(doc.nodes.get('f'), 'ftn')?.values[0], 'C:\\tex\\a;b.png');
  });

  test('statements span lines and long strings are concatenated', () => {
    const doc = parseMayaAscii(
      `${header}createNode\n\t\tscript\n -n\n "s";\n\tsetAttr ".b" -type "string" (\n\t\t"one;" \n\t\t+ "two" + "\\nthree");\n`,
    );
    assert.equal(doc.nodes.get('s')?.type, 'script');
    assert.equal(getAttr(doc.nodes.get('s'), 'b')?.values[0], 'one;two\nthree');
  });

  test('comment lines between statements are skipped, // inside strings is kept', () => {
    const doc = parseMayaAscii(
      `${header}// a comment; with "quotes\ncreateNode file -n "f";\n\tsetAttr ".ftn" -type "string" "//srv/share/t.png";\n// End`,
    );
    assert.equal(getAttr(doc.nodes.get('f'), 'ftn')?.values[0], '//srv/share/t.png');
  });

  test('setAttr flags, stringArray counts, select -ne singletons, connectAttr plugs', () => {
    const doc = parseMayaAscii(
      `${header}createNode AlembicNode -n "abc";\n\tsetAttr -k on -cb on ".fns" -type "stringArray" 2 "a.abc" "b.abc";\n` +
        `\tsetAttr -av ".rnd" 2;\n\tsetAttr ".notKept" 3;\nselect -ne :defaultRenderGlobals;\n\tsetAttr -k on ".fs" 12;\n` +
        'connectAttr "|grp|camShape.rnd" ":defaultRenderLayer.adjs[0].plg" -na;\n',
    );
    assert.deepEqual(getAttr(doc.nodes.get('abc'), 'fns'), {
      type: 'stringArray',
      values: ['a.abc', 'b.abc'],
    });
    assert.deepEqual(getAttr(doc.nodes.get('abc'), 'rnd')?.values, ['2']);
    assert.equal(getAttr(doc.nodes.get('abc'), 'notKept'), undefined);
    assert.deepEqual(getAttr(doc.nodes.get('defaultRenderGlobals'), 'fs')?.values, ['12']);
    assert.deepEqual(doc.connections[0], {
      srcNode: 'camShape',
      srcAttr: 'rnd',
      dstNode: 'defaultRenderLayer',
      dstAttr: 'adjs[0].plg',
    });
  });

  test('requires with -nodeType/-dataType flags, file -r flags and the reference path', () => {
    const doc = parseMayaAscii(
      '//Maya ASCII 2018ff09 scene\nfile -rdi 2 -ns "a" -rfn "aRN" -op "v=0;p=17;f=0" -typ "mayaAscii" "x/a.ma{2}";\n' +
        'file -r -ns "b" -dr 1 -rfn "bRN" -typ "mayaBinary" "y/b.mb";\n' +
        'requires maya "2018ff09";\nrequires -nodeType "n1" -dataType "d1" "plug" "1.2 ";\n',
    );
    assert.equal(doc.version, '2018ff09');
    assert.deepEqual([...doc.plugins], [['plug', '1.2']]);
    assert.deepEqual(doc.references, [
      {
        path: 'x/a.ma{2}',
        namespace: 'a',
        referenceNode: 'aRN',
        fileType: 'mayaAscii',
        deferred: false,
        depthInfo: 2,
      },
      { path: 'y/b.mb', namespace: 'b', referenceNode: 'bRN', fileType: 'mayaBinary', deferred: true },
    ]);
  });

  test('a huge numeric payload is skipped without being kept; text after it still parses', () => {
    const numbers = Array.from({ length: 200_000 }, (_, i) => `${i}.5`).join(' ');
    const doc = parseMayaAscii(
      `${header}createNode mesh -n "m";\n\tsetAttr -s 200000 ".vt[0:199999]" ${numbers};\n` +
        'createNode file -n "after";\n\tsetAttr ".ftn" -type "string" "a.png";\n',
    );
    assert.equal(doc.nodes.has('m'), false, 'a node with nothing the analysis reads is not kept');
    assert.deepEqual(getAttr(doc.nodes.get('after'), 'ftn')?.values, ['a.png']);
  });

  test('a truncated file yields what was read, marked partial', () => {
    const doc = parseMayaAscii(
      `${header}createNode file -n "f";\n\tsetAttr ".ftn" -type "string" "unterminated`,
    );
    assert.equal(doc.partial, true);
    assert.ok(doc.nodes.has('f'));
  });

  test('Windows-1252 code set decodes non-ASCII names', () => {
    const bytes = Buffer.concat([
      Buffer.from(
        '//Maya ASCII 2020 scene\n//Codeset: 1252\nrequires maya "2020";\ncreateNode file -n "f";\n\tsetAttr ".ftn" -type "string" "caf',
      ),
      Buffer.from([0xe9]),
      Buffer.from('.png";\n'),
    ]);
    assert.equal(getAttr(parseMayaAscii(bytes).nodes.get('f'), 'ftn')?.values[0], 'café.png');
  });

  test('non-Maya input is a WRONG_FORMAT AnalyzeError', () => {
    for (const input of ['hello world', 'FOR8\u0000\u0000\u0000\u0000', Buffer.from([0, 1, 2, 3, 59])]) {
      assert.throws(
        () => parseMayaAscii(input),
        (e) => e instanceof AnalyzeError && e.code === 'WRONG_FORMAT',
      );
    }
  });
});
