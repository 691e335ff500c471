import { AnalyzeError } from '../core/index.js';

/**
 * Tokens of a Clarisse `.project`: braces, quoted strings (backslash
 * escapes, may span lines), bare words (numbers, `yes`/`no`, `<empty>`,
 * class and attribute names), `#word` metadata markers, and line ends,
 * which terminate attribute statements.
 */
export type ClarisseToken =
  | { kind: 'open' | 'close' | 'newline'; line: number }
  | { kind: 'word' | 'string' | 'meta'; text: string; line: number };

/** Tokens accepted from one file; real projects hold a few hundred thousand. */
export const MAX_TOKENS = 20_000_000;

export function tokenizeProject(text: string, file?: string): ClarisseToken[] {
  const tokens: ClarisseToken[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (tokens.length >= MAX_TOKENS) {
      throw new AnalyzeError('LIMIT_EXCEEDED', `more than ${MAX_TOKENS} tokens`, file);
    }
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      tokens.push({ kind: 'newline', line });
      line++;
      i++;
    } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
    } else if (c === 0x7b) {
      tokens.push({ kind: 'open', line });
      i++;
    } else if (c === 0x7d) {
      tokens.push({ kind: 'close', line });
      i++;
    } else if (c === 0x22) {
      const start = line;
      let out = '';
      i++;
      for (;;) {
        if (i >= n) throw new AnalyzeError('TRUNCATED', `string opened on line ${start} is not closed`, file);
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < n) {
          const e = text[i + 1]!;
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          if (e === '\n') line++;
          i += 2;
          continue;
        }
        if (d === '\n') line++;
        out += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: out, line: start });
    } else {
      const start = i;
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      if (word.startsWith('#') && word.length > 1) tokens.push({ kind: 'meta', text: word.slice(1), line });
      else tokens.push({ kind: 'word', text: word, line });
    }
  }
  return tokens;
}

function isDelimiter(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x7b || c === 0x7d || c === 0x22;
}
