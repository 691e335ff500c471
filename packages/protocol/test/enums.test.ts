import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CG_ID,
  Channel,
  cgIdOf,
  FrameStatus,
  FrameType,
  isTaskEnded,
  SOFTWARE,
  softwareById,
  softwareByName,
  TASK_END_STATES,
  TaskStatus,
  Zone,
} from '@openfarm/protocol';

test('status numbers are the reference ones', () => {
  assert.deepEqual(Object.values(TaskStatus), [0, 5, 8, 10, 15, 20, 23, 25, 30, 35, 40, 45, 50, 100]);
  assert.deepEqual(Object.values(FrameStatus), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(Object.values(FrameType), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Object.values(Channel), [1, 2, 3, 4, 8]);
  assert.deepEqual(Object.values(Zone), [1, 2]);
});

test('the end set is the SDK one, with 40 only for test-stop tasks', () => {
  assert.deepEqual(
    [...TASK_END_STATES].sort((a, b) => a - b),
    [10, 20, 23, 25, 30, 35, 45],
  );
  assert.equal(isTaskEnded(TaskStatus.TEST_DONE), false);
  assert.equal(isTaskEnded(TaskStatus.TEST_DONE, true), true);
  assert.equal(isTaskEnded(TaskStatus.RENDERING, true), false);
  assert.equal(isTaskEnded(TaskStatus.FINISHED), true);
});

test('cg_id table both ways', () => {
  const expected: Array<[number, string]> = [
    [2000, 'Maya'],
    [2001, '3ds Max'],
    [2004, 'Houdini'],
    [2005, 'CINEMA 4D'],
    [2007, 'Blender'],
    [2013, 'Clarisse'],
    [2016, 'Katana'],
    [2020, 'Unreal Engine'],
    [2008, 'VR Standalone'],
    [2003, 'Arnold Standalone'],
  ];
  for (const [id, cgName] of expected) {
    assert.equal(softwareById(id)?.cgName, cgName);
    assert.equal(softwareById(String(id))?.cgId, id);
    assert.equal(softwareByName(cgName)?.cgId, id);
  }
  assert.equal(new Set(SOFTWARE.map((s) => s.cgId)).size, SOFTWARE.length);
  assert.equal(softwareById(1999), undefined);
  assert.equal(softwareById('abc'), undefined);
});

test('aliases are looked up case-insensitively', () => {
  for (const [alias, id] of [
    ['maya', CG_ID.MAYA],
    ['3ds max', CG_ID.MAX],
    ['3dsMax', CG_ID.MAX],
    ['houdini', CG_ID.HOUDINI],
    ['cinema4d', CG_ID.CINEMA4D],
    ['Cinema 4D', CG_ID.CINEMA4D],
    ['C4D', CG_ID.CINEMA4D],
    ['blender', CG_ID.BLENDER],
    ['clarisse', CG_ID.CLARISSE],
    [' katana ', CG_ID.KATANA],
    ['vr_standalone', CG_ID.VRAY_STANDALONE],
  ] as const) {
    assert.equal(cgIdOf(alias), id, alias);
  }
  assert.throws(() => cgIdOf('photoshop'), /unknown software "photoshop"/);
});
