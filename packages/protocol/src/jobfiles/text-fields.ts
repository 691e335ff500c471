/**
 * String fields with a meaning: task.json stores every `task_info` value as
 * text, so "a positive integer" is a string of digits. Each check says what it
 * expected in the words a user can act on.
 */
import { z } from 'zod';
import { FrameRangeError, parseFrameRanges, parsePreFrames } from '../frames.js';

export const digits = () => z.string().regex(/^\d+$/, 'expected a whole number as text, e.g. "0"');
export const positiveDigits = () =>
  z.string().regex(/^[1-9]\d*$/, 'expected a positive whole number as text, e.g. "1"');
/** Empty until the pre-submit check fills it, digits afterwards. */
export const optionalId = () => z.string().regex(/^\d*$/, 'expected "" or a whole number as text');
export const flag = () => z.enum(['0', '1'], { error: 'expected "0" or "1"' });

/** A frame-range list such as "1-10[1]" or "1,3-4[1]". */
export const frameRangeText = () =>
  z.string().superRefine((v, ctx) => {
    try {
      parseFrameRanges(v);
    } catch (e) {
      if (!(e instanceof FrameRangeError)) throw e;
      ctx.addIssue({
        code: 'custom',
        message: `expected a frame range like "1-10[1]" or "1,3-4[1]" (${e.reason} at position ${e.position})`,
      });
    }
  });

/** `pre_frames` / `test_frames`: "100", "000:1,3-4[1]". */
export const preFramesText = () =>
  z.string().superRefine((v, ctx) => {
    try {
      parsePreFrames(v);
    } catch (e) {
      if (!(e instanceof FrameRangeError)) throw e;
      ctx.addIssue({
        code: 'custom',
        message: `expected three 0/1 flags optionally followed by ":<frames>", e.g. "100" or "000:1,3-4[1]" (${e.reason} at position ${e.position})`,
      });
    }
  });

/** Scene values some DCC scripts write as text and others as numbers (width, height, fps). */
export const scalar = () => z.union([z.string(), z.number()]);
