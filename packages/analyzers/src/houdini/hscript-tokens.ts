/**
 * Tokens of the text sections Houdini writes (`.parm`, `.chn`,
 * `.spareparmdef`): whitespace-separated; a token starting with `"` is a
 * quoted string that may span lines; backslash escapes (`\"`, `\\`) are
 * removed in quoted and bare tokens alike (Houdini escapes quotes inside
 * bare expression tokens such as `ch(\"f1\")`).
 */
export interface Token {
  text: string;
  quoted: boolean;
}

export class Scanner {
  private pos = 0;
  constructor(private readonly src: string) {}

  done(): boolean {
    return this.pos >= this.src.length;
  }

  skipLine(): void {
    const nl = this.src.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.src.length : nl + 1;
  }

  /** Skip bare tokens up to and including `close`; false at end of input. */
  skipPast(close: string): boolean {
    for (;;) {
      const t = this.token();
      if (t === undefined) return false;
      if (!t.quoted && t.text === close) return true;
    }
  }

  token(): Token | undefined {
    const src = this.src;
    let i = this.pos;
    while (i < src.length && isSpace(src.charCodeAt(i))) i++;
    if (i >= src.length) {
      this.pos = i;
      return undefined;
    }
    if (src[i] === '"') {
      let out = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) {
          out += src[i + 1];
          i += 2;
        } else {
          out += src[i];
          i++;
        }
      }
      this.pos = i + 1;
      return { text: out, quoted: true };
    }
    let out = '';
    while (i < src.length && !isSpace(src.charCodeAt(i))) {
      if (src[i] === '\\' && i + 1 < src.length && !isSpace(src.charCodeAt(i + 1))) {
        out += src[i + 1];
        i += 2;
      } else {
        out += src[i];
        i++;
      }
    }
    this.pos = i;
    return { text: out, quoted: false };
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
