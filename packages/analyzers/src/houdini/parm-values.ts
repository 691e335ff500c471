import { expandHoudiniString } from './expand.js';
import { evaluateNumber } from './numeric-expression.js';
import type { HoudiniNode } from './scene-tree.js';
import type { HipEnvironment } from './variables.js';

/**
 * Parameter evaluation in the order that is right for a file whose cached
 * values may be stale: a literal value; else the channel's hscript
 * expression evaluated with the supported subset; else the cached value
 * saved beside the channel name; else unresolved.
 */
export interface StringValue {
  /** Text as written (literal, or the channel expression, or the cached value). */
  raw: string;
  /** Variables expanded, frame variables kept as written; undefined when it could not be evaluated. */
  value?: string;
  source: 'literal' | 'expression' | 'cached';
  /** Why `value` is missing. */
  unresolved?: string;
}

/** Nesting of `ch()` references followed before giving up (a channel may refer to itself). */
const MAX_CH_DEPTH = 8;

export function parmString(
  node: HoudiniNode,
  parm: string,
  env: HipEnvironment,
  index = 0,
): StringValue | undefined {
  const component = node.parms.get(parm)?.[index];
  if (component === undefined) return undefined;
  if (component.kind === 'literal') return expandRaw(component.text, 'literal', node, env);
  const channel = node.channels.get(component.channel);
  if (channel?.expr !== undefined && channel.language === 'hscript') {
    const literal = stringLiteral(channel.expr);
    if (literal !== undefined) {
      const fromExpr = expandRaw(literal, 'expression', node, env);
      if (fromExpr.value !== undefined) return fromExpr;
    }
  }
  // The cached text is an evaluation result already: take it verbatim, without re-expanding `$`.
  const cached = component.cached !== '' ? component.cached : (channel?.defaultString ?? '');
  return { raw: cached, value: cached, source: 'cached' };
}

/** Number of a parm component, or undefined when neither the expression nor the cache gives one. */
export function parmNumber(
  node: HoudiniNode,
  parm: string,
  env: HipEnvironment,
  index = 0,
  depth = 0,
): { value: number; source: 'literal' | 'expression' | 'cached' } | undefined {
  const component = node.parms.get(parm)?.[index];
  if (component === undefined) return undefined;
  if (component.kind === 'literal') {
    const n = Number(component.text);
    return component.text.trim() !== '' && Number.isFinite(n) ? { value: n, source: 'literal' } : undefined;
  }
  const channel = node.channels.get(component.channel);
  if (channel?.expr !== undefined && channel.language === 'hscript' && depth < MAX_CH_DEPTH) {
    const v = evaluateNumber(channel.expr, env, (name) => channelByName(node, name, env, depth + 1));
    if (v !== undefined) return { value: v, source: 'expression' };
  }
  const cached = Number(component.cached);
  if (component.cached.trim() !== '' && Number.isFinite(cached)) return { value: cached, source: 'cached' };
  const fallback = channel?.value ?? channel?.defaultNumber;
  return fallback === undefined ? undefined : { value: fallback, source: 'cached' };
}

/** `ch("f1")` names a channel (a parm component such as `f1`) or a one-component parm. */
function channelByName(
  node: HoudiniNode,
  name: string,
  env: HipEnvironment,
  depth: number,
): number | undefined {
  for (const [parm, components] of node.parms) {
    for (let i = 0; i < components.length; i++) {
      const c = components[i]!;
      if (c.kind === 'channel' && c.channel === name) return parmNumber(node, parm, env, i, depth)?.value;
    }
  }
  return node.parms.has(name) ? parmNumber(node, name, env, 0, depth)?.value : undefined;
}

/** Toggle parms are saved as `"on"`/`"off"` (or 1/0 in some menus). */
export function parmToggle(node: HoudiniNode, parm: string): boolean | undefined {
  const c = node.parms.get(parm)?.[0];
  if (c === undefined) return undefined;
  const text = c.kind === 'literal' ? c.text : c.cached;
  if (text === 'on' || text === '1') return true;
  if (text === 'off' || text === '0') return false;
  return undefined;
}

/** The raw text of a menu or token parm (`trange`, `filemethod`), cached text for a channel. */
export function parmToken(node: HoudiniNode, parm: string): string | undefined {
  const c = node.parms.get(parm)?.[0];
  return c === undefined ? undefined : c.kind === 'literal' ? c.text : c.cached;
}

function expandRaw(
  raw: string,
  source: 'literal' | 'expression',
  node: HoudiniNode,
  env: HipEnvironment,
): StringValue {
  const e = expandHoudiniString(raw, env, { nodeName: node.name });
  return e.ok ? { raw, value: e.value, source } : { raw, source, unresolved: e.reason };
}

/** `"text"` (an hscript string literal without operators) → `text`; anything else is not a plain string. */
function stringLiteral(expr: string): string | undefined {
  const t = expr.trim();
  if (t.length < 2 || !t.startsWith('"') || !t.endsWith('"')) return undefined;
  const inner = t.slice(1, -1);
  return inner.includes('"') ? undefined : inner;
}
