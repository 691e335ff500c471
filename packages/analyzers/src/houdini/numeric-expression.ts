import { numericVariable } from './expand.js';
import type { HipEnvironment } from './variables.js';

/**
 * Evaluates the numeric hscript expressions ROP frame channels hold:
 * literals, `$FSTART`/`$FEND`/`$RFSTART`/`$RFEND`/`$FPS`, `ch("parm")` of the
 * same node, + - * / %, parentheses and a few pure functions. Anything else
 * (other variables, other functions, Python) yields `undefined`, so the
 * caller falls back to the cached value instead of trusting a guess.
 */
export type ChannelLookup = (parm: string) => number | undefined;

const MAX_LENGTH = 4096;
/** Parenthesis/call nesting allowed; keeps recursion far from the stack limit on hostile input. */
const MAX_DEPTH = 64;
const FUNCTIONS: Record<string, (args: number[]) => number | undefined> = {
  abs: (a) => (a.length === 1 ? Math.abs(a[0]!) : undefined),
  floor: (a) => (a.length === 1 ? Math.floor(a[0]!) : undefined),
  ceil: (a) => (a.length === 1 ? Math.ceil(a[0]!) : undefined),
  rint: (a) => (a.length === 1 ? Math.round(a[0]!) : undefined),
  round: (a) => (a.length === 1 ? Math.round(a[0]!) : undefined),
  int: (a) => (a.length === 1 ? Math.trunc(a[0]!) : undefined),
  min: (a) => (a.length > 0 ? Math.min(...a) : undefined),
  max: (a) => (a.length > 0 ? Math.max(...a) : undefined),
};

export function evaluateNumber(expr: string, env: HipEnvironment, ch: ChannelLookup): number | undefined {
  if (expr.length > MAX_LENGTH) return undefined;
  const tokens = tokenize(expr);
  if (tokens === undefined) return undefined;
  const p = new Parser(tokens, env, ch);
  const v = p.expression();
  if (v === undefined || !p.atEnd() || !Number.isFinite(v)) return undefined;
  return v;
}

type Tok =
  | { t: 'num'; v: number }
  | { t: 'var'; v: string }
  | { t: 'id'; v: string }
  | { t: 'str'; v: string }
  | { t: 'op'; v: string };

function tokenize(s: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s.slice(i, i + 64));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    if (c === '$') {
      const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(s.slice(i, i + 70));
      if (!m) return undefined;
      out.push({ t: 'var', v: m[1]! });
      i += m[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 64));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = s.indexOf(c, i + 1);
      if (close < 0) return undefined;
      out.push({ t: 'str', v: s.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    if ('+-*/%(),'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    return undefined;
  }
  return out;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly env: HipEnvironment,
    private readonly ch: ChannelLookup,
  ) {}

  atEnd(): boolean {
    return this.i === this.toks.length;
  }

  expression(): number | undefined {
    let left = this.term();
    while (left !== undefined && this.isOp('+', '-')) {
      const op = this.next()!.v;
      const right = this.term();
      if (right === undefined) return undefined;
      left = op === '+' ? left + right : left - right;
    }
    return left;
  }

  private term(): number | undefined {
    let left = this.unary();
    while (left !== undefined && this.isOp('*', '/', '%')) {
      const op = this.next()!.v;
      const right = this.unary();
      if (right === undefined) return undefined;
      if (op === '*') left *= right;
      else if (right === 0) return undefined;
      else left = op === '/' ? left / right : left % right;
    }
    return left;
  }

  private unary(): number | undefined {
    if (this.isOp('-', '+')) {
      const op = this.next()!.v;
      const v = this.unary();
      return v === undefined ? undefined : op === '-' ? -v : v;
    }
    return this.primary();
  }

  private primary(): number | undefined {
    if (this.depth >= MAX_DEPTH) return undefined;
    this.depth++;
    const v = this.nested();
    this.depth--;
    return v;
  }

  private nested(): number | undefined {
    const tok = this.next();
    if (tok === undefined) return undefined;
    if (tok.t === 'num') return tok.v;
    if (tok.t === 'var') return numericVariable(tok.v, this.env);
    if (tok.t === 'op' && tok.v === '(') {
      const v = this.expression();
      return this.isOp(')') && this.next() && v !== undefined ? v : undefined;
    }
    if (tok.t === 'id' && this.isOp('(')) {
      this.next();
      if (tok.v === 'ch') {
        const arg = this.next();
        if (arg?.t !== 'str' || !this.isOp(')')) return undefined;
        this.next();
        // Only the node's own parameters: a path means another node we do not evaluate here.
        return arg.v.includes('/') ? undefined : this.ch(arg.v);
      }
      const fn = FUNCTIONS[tok.v];
      if (fn === undefined) return undefined;
      const args: number[] = [];
      if (!this.isOp(')')) {
        for (;;) {
          const v = this.expression();
          if (v === undefined) return undefined;
          args.push(v);
          if (this.isOp(',')) this.next();
          else break;
        }
      }
      if (!this.isOp(')')) return undefined;
      this.next();
      return fn(args);
    }
    return undefined;
  }

  private isOp(...ops: string[]): boolean {
    const tok = this.toks[this.i];
    return tok?.t === 'op' && ops.includes(tok.v);
  }

  private next(): Tok | undefined {
    return this.toks[this.i++];
  }
}
