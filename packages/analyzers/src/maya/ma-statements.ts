/**
 * Splits Maya ASCII bytes into MEL statements. A statement ends at `;`
 * outside a double-quoted string; strings may span lines and hold `;` and
 * escaped quotes. Lines starting with `//` between statements are comments.
 *
 * Speed matters (scenes carry megabytes of mesh numbers): the scan works on
 * bytes with the native `indexOf`, remembers the next quote so quote-free
 * stretches are searched once, and never decodes text itself.
 */

const SEMICOLON = 0x3b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const NEWLINE = 0x0a;

/** Byte range of one statement, `end` exclusive and before its `;`. */
export interface StatementRange {
  start: number;
  end: number;
  /** False when the input ended before the statement's `;` (truncated file). */
  terminated: boolean;
}

export class MaStatementReader {
  readonly #buf: Uint8Array;
  #pos = 0;
  #nextQuote = -2;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  /** The next statement, or undefined at the end of input. */
  next(): StatementRange | undefined {
    const buf = this.#buf;
    const len = buf.length;
    let pos = this.#pos;
    for (;;) {
      while (pos < len && isSpace(buf[pos]!)) pos++;
      if (pos >= len) {
        this.#pos = len;
        return undefined;
      }
      if (buf[pos] === SLASH && buf[pos + 1] === SLASH) {
        const eol = buf.indexOf(NEWLINE, pos);
        pos = eol < 0 ? len : eol + 1;
        continue;
      }
      break;
    }
    const start = pos;
    let semi = buf.indexOf(SEMICOLON, pos);
    for (;;) {
      const quote = this.#quoteFrom(pos);
      if (quote < 0 || (semi >= 0 && semi < quote)) break;
      const close = closingQuote(buf, quote + 1);
      if (close < 0) {
        this.#pos = len;
        return { start, end: len, terminated: false };
      }
      pos = close + 1;
      if (semi >= 0 && semi < pos) semi = buf.indexOf(SEMICOLON, pos);
    }
    if (semi < 0) {
      this.#pos = len;
      return { start, end: len, terminated: false };
    }
    this.#pos = semi + 1;
    return { start, end: semi, terminated: true };
  }

  #quoteFrom(pos: number): number {
    if (this.#nextQuote === -1) return -1;
    if (this.#nextQuote < pos) this.#nextQuote = this.#buf.indexOf(QUOTE, pos);
    return this.#nextQuote;
  }
}

/** Index of the quote closing a string whose body starts at `from`, or -1. */
export function closingQuote(buf: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let b = q - 1; b >= from && buf[b] === BACKSLASH; b--) backslashes++;
    if (backslashes % 2 === 0) return q;
    i = q + 1;
  }
}

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}
