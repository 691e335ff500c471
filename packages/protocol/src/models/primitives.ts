/**
 * Building blocks shared by the endpoint schemas. Request objects are loose
 * (unknown keys pass through), as the reference's Cerberus schemas allow them.
 */
import { z } from 'zod';
import { printableString } from '../printable.js';

/** A whole number written out in decimal, as Python's `str(int)` writes it. */
const DECIMAL_TEXT = /^-?(0|[1-9][0-9]{0,15})$/;

/**
 * A numeric request field that also takes the number's decimal text. The
 * reference client sends some numbers as strings (`cgIds` straight from its
 * DCC_ID_MAPPINGS table, "2007" for Blender; ids read from the command line),
 * and the reference's servers take them. Only plain decimal integers convert:
 * "1e3", " 7", "0x10" or "7.0" stay strings and fail with the field named.
 */
export function numberish<T extends z.ZodType<number, number>>(schema: T) {
  return z
    .union([
      z.string().regex(DECIMAL_TEXT, 'expected a number or its decimal text').transform(Number),
      z.number(),
    ])
    .pipe(schema);
}

/** A database id: a positive safe integer (or its decimal text). */
export const id = () => numberish(z.int().positive());

/** A list of ids with a sane upper bound on its length. */
export const idList = () => z.array(id()).min(1).max(1000);

export const pageNum = () => numberish(z.int().min(1).max(1_000_000));
export const pageSize = () => numberish(z.int().min(1).max(1000));
/** A small integer field (levels, flags, codes) within a range, or its decimal text. */
export const intIn = (min: number, max: number) => numberish(z.int().min(min).max(max));

/** `yyyy-MM-dd HH:mm:ss`, the reference's date-time text in request bodies. */
export const dateTimeText = () =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/, 'expected "yyyy-MM-dd HH:mm:ss"');

/** A short free-text field (names, keywords): no control or bidi-override characters (see printable.ts). */
export const text = (max = 255) => printableString().max(max);

/** Numbers in responses: the reference leaves many of them null when unset. */
export const optNum = () => z.number().nullable().optional();
export const optInt = () => z.int().nullable().optional();
export const optStr = () => z.string().nullable().optional();
/** Times and durations the reference sends as text in some answers and numbers in others. */
export const optStrOrNum = () => z.union([z.string(), z.number()]).nullable().optional();
/** Flags the reference sends as 0/1 in some places, "0"/"1" in others, booleans elsewhere. */
export const optFlag = () => z.union([z.number(), z.string(), z.boolean()]).nullable().optional();

/** Storage ids ("bids"): strings from the reference cloud, sometimes numbers in older answers. */
export const bid = () => z.union([z.string(), z.number()]);

/** The empty body of "no-parameter" calls: `{}` (the reference posts it even for queries). */
export const emptyBody = () => z.looseObject({});

/** A `data` of null: the call answers nothing but success. */
export const nothing = () => z.null();

/** The reference's paged answer `{pageCount, pageNum, total, size, items}`. */
export function paged<T extends z.ZodType>(item: T) {
  return z.looseObject({
    pageCount: z.int().min(0),
    pageNum: z.int().min(0),
    total: z.int().min(0),
    size: z.int().min(0),
    items: z.array(item),
  });
}
