/**
 * Splits Maya ASCII bytes into MEL statements. A statement ends at `;`
 * outside a double-quoted string; strings may span lines and hold `;` and
 * escaped quotes. Lines starting with `//` between statements are comments.
 *
 * Speed matters (scenes carry a million statements and megabytes of mesh
 * numbers): the scan is one pass over bytes and never decodes text itself.
 */

const SEMICOLON = 0x3b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const NEWLINE = 0x0a;
/** Bytes scanned by the byte loop before native searches take over. */
const SHORT_STATEMENT = 96;

/**
 * Reads statements one after the other; after `next()` returns true,
 * `start`/`end` hold the statement's byte range (`end` exclusive, before its
 * `;`). The reader reuses its fields rather than allocating a range per
 * statement.
 */
export class MaStatementReader {
  readonly #buf: Uint8Array;
  #pos = 0;
  start = 0;
  end = 0;
  /** False when the input ended before the statement's `;` (truncated file). */
  terminated = true;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  /** Advance to the next statement; false at the end of input. */
  next(): boolean {
    const buf = this.#buf;
    const len = buf.length;
    let pos = this.#pos;
    for (;;) {
      while (pos < len && isSpace(buf[pos]!)) pos++;
      if (pos >= len) {
        this.#pos = len;
        return false;
      }
      if (buf[pos] === SLASH && buf[pos + 1] === SLASH) {
        const eol = buf.indexOf(NEWLINE, pos);
        pos = eol < 0 ? len : eol + 1;
        continue;
      }
      break;
    }
    // Statements average a few dozen bytes, where a byte loop beats native indexOf
    // calls; past SHORT_STATEMENT bytes (a data payload) native searches take over.
    const start = pos;
    const shortEnd = Math.min(len, pos + SHORT_STATEMENT);
    let inString = false;
    let i = pos;
    // Two tight loops (outside a string: find `"` or `;`; inside: find `"` or `\`).
    while (i < shortEnd) {
      let c = buf[i]!;
      while (c !== QUOTE && c !== SEMICOLON && ++i < shortEnd) c = buf[i]!;
      if (i >= shortEnd) break;
      if (c === SEMICOLON) return this.#found(start, i, true);
      i++;
      inString = true;
      while (i < shortEnd) {
        c = buf[i]!;
        if (c === QUOTE) break;
        i += c === BACKSLASH ? 2 : 1;
      }
      if (i >= shortEnd) break;
      i++;
      inString = false;
    }
    for (;;) {
      if (inString) {
        const close = closingQuoteFrom(buf, i);
        if (close < 0) break;
        i = close + 1;
        inString = false;
      }
      const semi = buf.indexOf(SEMICOLON, i);
      if (semi < 0) break;
      const quote = buf.indexOf(QUOTE, i);
      if (quote < 0 || semi < quote) return this.#found(start, semi, true);
      i = quote + 1;
      inString = true;
    }
    return this.#found(start, len, false);
  }

  #found(start: number, end: number, terminated: boolean): true {
    this.start = start;
    this.end = end;
    this.terminated = terminated;
    this.#pos = terminated ? end + 1 : end;
    return true;
  }
}

/** Closing quote at or after `from` (inside a string) with native search; escapes before `from` are settled. */
function closingQuoteFrom(buf: Uint8Array, from: number): number {
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

/** Index of the quote closing a string whose body starts at `from` (before `end`), or -1. */
export function closingQuote(buf: Uint8Array, from: number, end: number = buf.length): number {
  for (let i = from; i < end; i++) {
    const c = buf[i]!;
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}
