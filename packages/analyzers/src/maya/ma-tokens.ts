import { closingQuote, isSpace } from './ma-statements.js';

/** One word of a MEL statement. */
export interface MaToken {
  readonly text: string;
  /** Came from a double-quoted string (escapes resolved); `("a" + "b")` is one quoted token. */
  readonly quoted: boolean;
}

/** Text of a byte range of the statement buffer. */
export type TextSlicer = (start: number, end: number) => string;

/**
 * A slicer over `buf`: ASCII ranges (all numbers, flags and most names) are
 * cut as Latin-1 without a decoder call; others go through `decoder`.
 */
export function textSlicer(buf: Buffer, decoder: { decode(bytes: Uint8Array): string }): TextSlicer {
  return (start, end) => {
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) return decoder.decode(buf.subarray(start, end));
    }
    return buf.toString('latin1', start, end);
  };
}

const QUOTE = 0x22;
const OPEN = 0x28;
const CLOSE = 0x29;
const PLUS = 0x2b;

/**
 * Splits a statement's bytes into words. Stops after `maxTokens` so a caller
 * can look at a statement's head without paying for a megabyte of numbers.
 */
export function tokenize(
  buf: Uint8Array,
  start: number,
  end: number,
  decode: TextSlicer,
  maxTokens = Number.POSITIVE_INFINITY,
): MaToken[] {
  const out: MaToken[] = [];
  let i = start;
  while (i < end && out.length < maxTokens) {
    const c = buf[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === QUOTE) {
      const close = Math.min(closeOf(buf, i + 1, end), end);
      out.push({ text: unescapeMel(decode(i + 1, close)), quoted: true });
      i = close + 1;
      continue;
    }
    if (c === OPEN) {
      // MEL string concatenation written by Maya for long strings: ( "a" + "b" ).
      let text = '';
      let j = i + 1;
      let onlyStrings = true;
      while (j < end && buf[j] !== CLOSE) {
        const d = buf[j]!;
        if (d === QUOTE) {
          const close = Math.min(closeOf(buf, j + 1, end), end);
          text += unescapeMel(decode(j + 1, close));
          j = close + 1;
        } else if (isSpace(d) || d === PLUS) {
          j++;
        } else {
          onlyStrings = false;
          j++;
        }
      }
      out.push(onlyStrings ? { text, quoted: true } : { text: decode(i, j + 1), quoted: false });
      i = j + 1;
      continue;
    }
    let j = i + 1;
    while (j < end && !isSpace(buf[j]!) && buf[j] !== QUOTE) j++;
    out.push({ text: decode(i, j), quoted: false });
    i = j;
  }
  return out;
}

function closeOf(buf: Uint8Array, from: number, end: number): number {
  const q = closingQuote(buf, from, end);
  return q < 0 ? end : q;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

/** Resolve MEL string escapes (`\"`, `\\`, `\n`, `\t`, `\r`); an unknown escape keeps its character. */
export function unescapeMel(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/gs, (_, ch: string) => ESCAPES[ch] ?? ch);
}
