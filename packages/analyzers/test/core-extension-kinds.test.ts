import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLARISSE_EXTENSION_KINDS,
  COMMON_EXTENSION_KINDS,
  HOUDINI_EXTENSION_KINDS,
  kindOfExtension,
} from '../src/index.js';

/** What both readers answered before the table was shared. */
const SHARED_ANSWERS: Record<string, string> = {
  'a.abc': 'alembic',
  'a.usd': 'usd',
  'a.usda': 'usd',
  'a.usdc': 'usd',
  'a.usdz': 'usd',
  'a.vdb': 'volume',
  'a.obj': 'geometry',
  'a.fbx': 'geometry',
};

/** What each reader answered for every other extension it knew. */
const HOUDINI_ANSWERS: Record<string, string> = {
  ...SHARED_ANSWERS,
  'a.ies': 'ies',
  'a.bgeo': 'cache',
  'a.bgeo.sc': 'cache',
  'a.bgeo.gz': 'cache',
  'a.geo': 'cache',
  'a.sim': 'cache',
  'a.simdata': 'cache',
  'a.hda': 'library',
  'a.otl': 'library',
  'a.hdanc': 'library',
  'a.hdalc': 'library',
  'a.otlnc': 'library',
  'a.ass': 'proxy',
  'a.rs': 'proxy',
  'a.lwo': 'texture',
  'a.exr': 'texture',
};

const CLARISSE_ANSWERS: Record<string, string> = {
  ...SHARED_ANSWERS,
  'a.lwo': 'geometry',
  // Clarisse never knew Houdini's formats: they stay textures there.
  'a.ies': 'texture',
  'a.bgeo.sc': 'texture',
  'a.hda': 'texture',
  'a.rs': 'texture',
  'a.tx': 'texture',
};

describe('extension → dependency kind table', () => {
  test('Houdini and Clarisse keep their former answers', () => {
    for (const [path, kind] of Object.entries(HOUDINI_ANSWERS))
      assert.equal(kindOfExtension(path, HOUDINI_EXTENSION_KINDS), kind, `Houdini ${path}`);
    for (const [path, kind] of Object.entries(CLARISSE_ANSWERS))
      assert.equal(kindOfExtension(path, CLARISSE_EXTENSION_KINDS), kind, `Clarisse ${path}`);
  });

  test('every per-DCC table extends the common one unchanged', () => {
    for (const table of [HOUDINI_EXTENSION_KINDS, CLARISSE_EXTENSION_KINDS])
      for (const [extension, kind] of Object.entries(COMMON_EXTENSION_KINDS))
        assert.equal(table[extension], kind, extension);
  });

  test('only the file name counts, in any case and with either separator', () => {
    const h = HOUDINI_EXTENSION_KINDS;
    assert.equal(kindOfExtension('$HIP/geo/sh010.$F4.BGEO.SC', h), 'cache');
    assert.equal(kindOfExtension('C:\\cache\\v001\\smoke.0001.VDB', h), 'volume');
    assert.equal(kindOfExtension('/shots/cache.abc/frame', h), 'texture');
    assert.equal(kindOfExtension('/shots/cache.abc/', h), 'texture');
    assert.equal(kindOfExtension('/shots/.abc', h), 'alembic');
    // A longer name that only ends like a known extension is not that extension.
    assert.equal(kindOfExtension('/x/a.geo.sc', h), 'texture');
    assert.equal(kindOfExtension('/x/a.fooabc', h), 'texture');
    assert.equal(kindOfExtension('/x/abc', h), 'texture');
  });

  test('names of Object members are not extensions; the fallback is the caller’s', () => {
    assert.equal(kindOfExtension('a.constructor', COMMON_EXTENSION_KINDS), 'texture');
    assert.equal(kindOfExtension('a.__proto__', COMMON_EXTENSION_KINDS), 'texture');
    assert.equal(kindOfExtension('a.png', COMMON_EXTENSION_KINDS, 'movie'), 'movie');
  });
});
