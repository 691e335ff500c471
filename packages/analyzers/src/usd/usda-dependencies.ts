import { AnalyzeError } from '../core/errors.js';
import { isPathLikeProperty, type UsdAssetRef, type UsdRefKind } from './usd-refs.js';

/**
 * Every asset path a text USD layer (`.usda`) names. A tokenizer, not a
 * full parser: it knows strings (all four quotings), asset paths (`@…@`,
 * `@@@…@@@`), prim paths (`<…>`), comments and brackets, and keeps just
 * enough structure to say what each asset path is and where it sits:
 *
 * - the key before `=` (`subLayers`, `references`, `payload`, `clips`…)
 *   and the keys of the brackets around it decide the kind;
 * - `def`/`over`/`class` names, `variantSet` blocks and their variants
 *   give the owner (`</World/Ball{shadingVariants=red}.inputs:file>`);
 * - `string` attributes named like files (`inputs:file`, `filename`), their
 *   `.timeSamples` and arrays count, and `templateAssetPath` /
 *   `clipTemplateAssetPath` strings are clip templates.
 *
 * Every variant's block is read (any may be selected on the render node).
 */
export function readUsdaDependencies(text: string, file?: string): UsdAssetRef[] {
  if (!text.startsWith('#usda'))
    throw new AnalyzeError('WRONG_FORMAT', 'not a text USD layer (no #usda)', file);
  return new UsdaScanner(text, file).scan();
}

type Token =
  | { type: 'word'; text: string }
  | { type: 'string'; text: string }
  | { type: 'asset'; text: string }
  | { type: 'punct'; text: string };

interface Frame {
  readonly close: string;
  /** The key this bracket belongs to (`references`, `clips`, `default`). */
  readonly key: string | undefined;
  /** Prim path element the block adds (`Ball`, `{set=variant}`). */
  readonly element: string | undefined;
  /** Inside `variantSet "name" = { … }`: variant names at this level. */
  readonly variantSet: string | undefined;
  /** A string-typed attribute named like a file owns the values in this bracket. */
  readonly pathLike: boolean;
  /** The metadata parentheses of the prim or variant named just before (`def "Ball" (`). */
  readonly metadataOf: string | undefined;
}

/** Brackets nested deeper than this are refused (a real layer nests a few dozen). */
const MAX_DEPTH = 1000;

class UsdaScanner {
  readonly #text: string;
  readonly #file: string | undefined;
  #pos = 5;
  readonly #frames: Frame[] = [];
  readonly #refs: UsdAssetRef[] = [];
  /** Recent tokens, newest last (at most 4 kept). */
  #recent: Token[] = [];
  #key: string | undefined;
  #pathLikeKey = false;
  #pendingElement: string | undefined;
  #pendingVariantSet: string | undefined;
  /** Bracket depth at which the pending prim/variant name was seen: only a `{` at that depth opens its block. */
  #pendingDepth = -1;

  constructor(text: string, file: string | undefined) {
    this.#text = text;
    this.#file = file;
  }

  scan(): UsdAssetRef[] {
    for (;;) {
      const token = this.#next();
      if (token === undefined) break;
      this.#take(token);
      if (token.type === 'punct' && token.text === '\n') continue;
      this.#recent.push(token);
      if (this.#recent.length > 4) this.#recent.shift();
    }
    if (this.#frames.length > 0)
      throw new AnalyzeError('TRUNCATED', `missing '${this.#frames.at(-1)!.close}'`, this.#file);
    return this.#refs;
  }

  #take(token: Token): void {
    const prev = this.#recent.at(-1);
    const top = this.#frames.at(-1);
    switch (token.type) {
      case 'word':
        return;
      case 'asset':
        this.#add(token.text, this.#kindHere());
        return;
      case 'string': {
        if (prev?.type === 'word' && (prev.text === 'def' || prev.text === 'over' || prev.text === 'class')) {
          this.#pending(token.text, undefined);
        } else if (
          this.#recent.at(-2)?.type === 'word' &&
          /^(def|over|class)$/.test((this.#recent.at(-2) as { text: string }).text) &&
          prev?.type === 'word'
        ) {
          this.#pending(token.text, undefined); // def Xform "Ball"
        } else if (prev?.type === 'word' && prev.text === 'variantSet') {
          this.#pending(undefined, token.text);
        } else if (
          top?.variantSet !== undefined &&
          top.close === '}' &&
          (prev === undefined || prev.text === '{' || prev.text === '}')
        ) {
          this.#pending(`{${top.variantSet}=${token.text}}`, undefined);
        } else if (this.#pathLikeKey || top?.pathLike === true) {
          const key = this.#key ?? '';
          this.#add(
            token.text,
            key === 'templateAssetPath' || key === 'clipTemplateAssetPath' ? 'clip-template' : 'string',
          );
        }
        return;
      }
      case 'punct':
        this.#punct(token.text, prev);
    }
  }

  #pending(element: string | undefined, variantSet: string | undefined): void {
    this.#pendingElement = element;
    this.#pendingVariantSet = variantSet;
    this.#pendingDepth = this.#frames.length;
  }

  #punct(p: string, prev: Token | undefined): void {
    if (p === '=') {
      if (prev?.type === 'word') {
        const key = prev.text.replace(/\.(timeSamples|spline|connect)$/, '');
        this.#key = key;
        const typed = this.#recent
          .slice(0, -1)
          .some((t) => t.type === 'word' && (t.text === 'string' || t.text === 'string[]'));
        this.#pathLikeKey =
          key === 'templateAssetPath' ||
          key === 'clipTemplateAssetPath' ||
          (typed && isPathLikeProperty(key));
      }
      return;
    }
    if (p === '{' || p === '(' || p === '[') {
      if (this.#frames.length >= MAX_DEPTH)
        throw new AnalyzeError('LIMIT_EXCEEDED', 'brackets nested too deep', this.#file);
      const close = p === '{' ? '}' : p === '(' ? ')' : ']';
      const opens = p === '{' && this.#pendingDepth === this.#frames.length;
      const variantSet = opens ? this.#pendingVariantSet : undefined;
      const element = opens ? this.#pendingElement : undefined;
      const metadataOf =
        p === '(' && this.#pendingDepth === this.#frames.length ? this.#pendingElement : undefined;
      this.#frames.push({
        close,
        key: this.#key,
        element,
        variantSet,
        pathLike: this.#pathLikeKey,
        metadataOf,
      });
      if (opens) this.#pending(undefined, undefined);
      this.#key = undefined;
      this.#pathLikeKey = false;
      return;
    }
    if (p === '}' || p === ')' || p === ']') {
      const frame = this.#frames.pop();
      if (frame === undefined || frame.close !== p) {
        throw new AnalyzeError('CORRUPT', `unbalanced '${p}' at ${this.#lineAt(this.#pos)}`, this.#file);
      }
      this.#key = undefined;
      this.#pathLikeKey = false;
      return;
    }
    // A new statement at this level: the key no longer applies.
    if (p === ';' || p === '\n') {
      this.#key = undefined;
      this.#pathLikeKey = false;
    }
  }

  #kindHere(): UsdRefKind {
    const keys = [this.#key, ...this.#frames.map((f) => f.key).reverse()];
    for (const key of keys) {
      if (key === undefined) continue;
      if (key === 'subLayers') return 'sublayer';
      if (key === 'references') return 'reference';
      if (key === 'payload') return 'payload';
      if (key === 'clips' || key.startsWith('clip')) return 'clip';
    }
    return 'asset';
  }

  #add(path: string, kind: UsdRefKind): void {
    if (path === '') return;
    this.#refs.push({ path, owner: this.#owner(), kind });
  }

  /**
   * `</World/Ball.inputs:file>` for an attribute, `</World/Ball> references`
   * for metadata (anything inside the parentheses after a prim name).
   */
  #owner(): string {
    let prim = '';
    let lastElement = -1;
    this.#frames.forEach((f, index) => {
      if (f.element === undefined) return;
      prim += f.element.startsWith('{') ? f.element : `/${f.element}`;
      lastElement = index;
    });
    const inner = this.#frames.slice(lastElement + 1);
    const metadata = inner.findIndex((f) => f.close === ')');
    const of = inner[metadata]?.metadataOf;
    if (of !== undefined) prim += of.startsWith('{') ? of : `/${of}`;
    const path = prim === '' ? '/' : prim;
    if (metadata >= 0) {
      const key = inner[metadata + 1]?.key ?? (metadata + 1 < inner.length ? undefined : this.#key);
      return key === undefined ? `<${path}>` : `<${path}> ${key}`;
    }
    const key = this.#key ?? [...inner].reverse().find((f) => f.key !== undefined)?.key;
    if (key === undefined) return `<${path}>`;
    if (key === 'subLayers') return `<${path}> ${key}`;
    return `<${path === '/' ? '' : path}.${key}>`;
  }

  #lineAt(pos: number): string {
    let line = 1;
    for (let i = 0; i < pos && i < this.#text.length; i++) if (this.#text.charCodeAt(i) === 10) line++;
    return `line ${line}`;
  }

  #next(): Token | undefined {
    const s = this.#text;
    const n = s.length;
    let i = this.#pos;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 10) {
        // Newlines end statements (a key's value does not run past its line unless bracketed).
        this.#pos = i + 1;
        return { type: 'punct', text: '\n' };
      }
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (c === 35 /* # */) {
        const end = s.indexOf('\n', i);
        i = end < 0 ? n : end;
        continue;
      }
      if (c === 34 || c === 39) return this.#string(i, c);
      if (c === 64 /* @ */) return this.#asset(i);
      if (c === 60 /* < */) {
        const end = s.indexOf('>', i);
        if (end < 0) throw new AnalyzeError('TRUNCATED', `unclosed path at ${this.#lineAt(i)}`, this.#file);
        this.#pos = end + 1;
        return { type: 'word', text: s.slice(i, end + 1) };
      }
      if (isWordChar(c)) {
        let j = i + 1;
        while (j < n && isWordChar(s.charCodeAt(j))) j++;
        // `string[]`, `asset[]`: the array marker belongs to the type name.
        if (s.startsWith('[]', j)) j += 2;
        this.#pos = j;
        return { type: 'word', text: s.slice(i, j) };
      }
      this.#pos = i + 1;
      return { type: 'punct', text: s[i]! };
    }
    this.#pos = n;
    return undefined;
  }

  #string(start: number, quote: number): Token {
    const s = this.#text;
    const q = String.fromCharCode(quote);
    const triple = s.startsWith(q + q + q, start);
    const open = triple ? 3 : 1;
    let i = start + open;
    let out = '';
    let from = i;
    for (;;) {
      if (i >= s.length)
        throw new AnalyzeError('TRUNCATED', `unclosed string at ${this.#lineAt(start)}`, this.#file);
      const c = s.charCodeAt(i);
      if (c === 92 /* \ */) {
        out += s.slice(from, i) + unescapeChar(s[i + 1] ?? '');
        i += 2;
        from = i;
        continue;
      }
      if (!triple && c === 10)
        throw new AnalyzeError('CORRUPT', `newline in a string at ${this.#lineAt(start)}`, this.#file);
      if (c === quote && (!triple || s.startsWith(q + q + q, i))) {
        out += s.slice(from, i);
        this.#pos = i + open;
        return { type: 'string', text: out };
      }
      i++;
    }
  }

  #asset(start: number): Token {
    const s = this.#text;
    if (s.startsWith('@@@', start)) {
      let i = start + 3;
      let out = '';
      for (;;) {
        const end = s.indexOf('@@@', i);
        if (end < 0)
          throw new AnalyzeError('TRUNCATED', `unclosed asset path at ${this.#lineAt(start)}`, this.#file);
        if (s[end - 1] === '\\') {
          out += `${s.slice(i, end - 1)}@@@`;
          i = end + 3;
          continue;
        }
        out += s.slice(i, end);
        this.#pos = end + 3;
        return { type: 'asset', text: out };
      }
    }
    const end = s.indexOf('@', start + 1);
    const newline = s.indexOf('\n', start + 1);
    if (end < 0 || (newline >= 0 && newline < end)) {
      throw new AnalyzeError('CORRUPT', `unclosed asset path at ${this.#lineAt(start)}`, this.#file);
    }
    this.#pos = end + 1;
    return { type: 'asset', text: s.slice(start + 1, end) };
  }
}

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    c === 58 /* : */ ||
    c === 46 /* . */ ||
    c === 45 /* - */ ||
    c === 43 /* + */ ||
    c === 124 /* | */
  );
}

function unescapeChar(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    default:
      return c;
  }
}
