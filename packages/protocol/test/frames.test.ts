import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  expandFrames,
  FrameRangeError,
  formatFrameRanges,
  formatPreFrames,
  inRange,
  parseFrameRanges,
  parsePreFrames,
  priorityFrames,
} from '@openfarm/protocol';

test('parses the reference forms', () => {
  const cases: Array<[string, Array<[number, number, number]>, string]> = [
    ['1-10[1]', [[1, 10, 1]], '1-10[1]'],
    [
      '1,3-4[1]',
      [
        [1, 1, 1],
        [3, 4, 1],
      ],
      '1,3-4[1]',
    ],
    ['5', [[5, 5, 1]], '5'],
    ['-5--1[1]', [[-5, -1, 1]], '-5--1[1]'],
    ['-3-2[2]', [[-3, 2, 2]], '-3-2[2]'],
    ['1-10', [[1, 10, 1]], '1-10[1]'],
    [
      ' 1 , 20-30[5] ',
      [
        [1, 1, 1],
        [20, 30, 5],
      ],
      '1,20-30[5]',
    ],
    ['0', [[0, 0, 1]], '0'],
    ['7-7[3]', [[7, 7, 3]], '7'],
  ];
  for (const [text, expected, printed] of cases) {
    const got = parseFrameRanges(text);
    assert.deepEqual(
      got.map((r) => [r.start, r.end, r.step]),
      expected,
      text,
    );
    assert.equal(formatFrameRanges(got), printed, text);
    assert.deepEqual(parseFrameRanges(printed), parseFrameRanges(formatFrameRanges(got)));
  }
});

test('bad text fails with the text and the position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /empty/],
    ['a', 0, /expected a frame number/],
    ['1-', 2, /expected an end frame/],
    ['1-10[0]', 5, /step must be at least 1/],
    ['1-10[1', 6, /expected '\]'/],
    ['1-10[x]', 5, /expected a step/],
    ['10-1[1]', 0, /start 10 is after end 1/],
    ['1,,2', 2, /expected a frame number/],
    ['1;2', 1, /expected ','/],
    ['1.5', 1, /expected ','/],
    ['1-5[1]x', 6, /expected ','/],
    ['99999999999', 0, /out of range/],
  ];
  for (const [text, position, reason] of cases) {
    assert.throws(
      () => parseFrameRanges(text),
      (e: unknown) => {
        assert.ok(e instanceof FrameRangeError, text);
        assert.equal(e.text, text);
        assert.equal(e.position, position, `${text}: ${e.message}`);
        assert.match(e.message, reason);
        assert.ok(e.message.includes(`"${text}"`));
        return true;
      },
    );
  }
});

test('expands to ascending unique frames', () => {
  assert.deepEqual(expandFrames('1-10[3]'), [1, 4, 7, 10]);
  assert.deepEqual(expandFrames('1-10[4]'), [1, 5, 9]);
  assert.deepEqual(expandFrames('5,1-3[1],2'), [1, 2, 3, 5]);
  assert.deepEqual(expandFrames('-2-2[1]'), [-2, -1, 0, 1, 2]);
  assert.deepEqual(expandFrames(parseFrameRanges('3')), [3]);
});

test('refuses absurd counts before allocating', () => {
  assert.throws(() => expandFrames('1-1000000000[1]'), /1000000000 frames is more than the limit of 100000/);
  assert.throws(() => expandFrames('1-11[1]', 10), FrameRangeError);
  assert.equal(expandFrames('1-10[1]', 10).length, 10);
});

test('inRange follows the step', () => {
  const [r] = parseFrameRanges('2-10[4]');
  assert.ok(r);
  assert.deepEqual(
    [1, 2, 3, 6, 10, 11].map((f) => inRange(r, f)),
    [false, true, false, true, true, false],
  );
});

test('pre_frames', () => {
  assert.deepEqual(parsePreFrames('100'), { first: true, middle: false, last: false, custom: [] });
  assert.deepEqual(parsePreFrames('010'), { first: false, middle: true, last: false, custom: [] });
  const p = parsePreFrames('000:1,3-4[1]');
  assert.deepEqual([p.first, p.middle, p.last], [false, false, false]);
  assert.equal(formatFrameRanges(p.custom), '1,3-4[1]');
  for (const t of ['100', '111', '000:1,3-4[1]', '101:7'])
    assert.equal(formatPreFrames(parsePreFrames(t)), t);

  const bad: Array<[string, number, RegExp]> = [
    ['', 0, /three 0\/1 flags/],
    ['10', 2, /three 0\/1 flags/],
    ['120', 1, /three 0\/1 flags/],
    ['1001', 3, /expected ':'/],
    ['000:', 4, /empty/],
    ['000:1-x', 6, /expected an end frame/],
  ];
  for (const [text, position, reason] of bad) {
    assert.throws(
      () => parsePreFrames(text),
      (e: unknown) => e instanceof FrameRangeError && e.position === position && reason.test(e.message),
      text,
    );
  }
});

test('priority frames pick first, middle, last and custom frames of the task', () => {
  const frames = expandFrames('1-10[1]');
  assert.deepEqual(priorityFrames(parsePreFrames('100'), frames), [1]);
  assert.deepEqual(priorityFrames(parsePreFrames('111'), frames), [1, 5, 10]);
  assert.deepEqual(priorityFrames(parsePreFrames('000:3-4[1],99'), frames), [3, 4]);
  assert.deepEqual(priorityFrames(parsePreFrames('001:1-1000000000[1]'), [2, 4]), [2, 4]);
  assert.deepEqual(priorityFrames(parsePreFrames('111'), []), []);
});
