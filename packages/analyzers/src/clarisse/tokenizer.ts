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

/**
 * Streams the tokens, so the brace tree is built without holding every
 * token at once; work and memory stay linear in the text length.
 */
export function* tokenizeProject(text: string, file?: string): Generator<ClarisseToken> {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      yield { kind: 'newline', line };
      line++;
      i++;
    } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
    } else if (c === 0x7b) {
      yield { kind: 'open', line };
      i++;
    } else if (c === 0x7d) {
      yield { kind: 'close', line };
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
      yield { kind: 'string', text: out, line: start };
    } else {
      const start = i;
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      if (word.startsWith('#') && word.length > 1) yield { kind: 'meta', text: word.slice(1), line };
      else yield { kind: 'word', text: word, line };
    }
  }
}

function isDelimiter(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x7b || c === 0x7d || c === 0x22;
}
