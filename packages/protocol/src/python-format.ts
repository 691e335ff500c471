/**
 * Python's `str()` of JSON scalars, as the reference client signs them.
 *
 * The reference signs `str(value)` of every flattened scalar after
 * `json.loads`, so `true` → `True`, `null` → `None`, the JSON text `1.0` →
 * `1.0`, `1e16` → `1e+16`. A number's text decides int vs float exactly as
 * Python's json module does (a `.`, `e` or `E` makes it a float).
 */

const INT_TEXT = /^-?(?:0|[1-9]\d*)$/;

/** Python `str()` of the number written as `text` in JSON. */
export function pythonNumberText(text: string): string {
  if (INT_TEXT.test(text)) return BigInt(text).toString();
  return pythonFloatRepr(Number(text));
}

/** Python's `repr(float)` (shortest round-trip digits, `.0` for integral values). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac.length > 0 ? frac : '0'}`;
}

/** Python `str()` of a JavaScript scalar as it would arrive after JSON.stringify + json.loads. */
export function pythonScalarText(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    const t = JSON.stringify(v);
    return t === 'null' ? 'None' : pythonNumberText(t);
  }
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}
