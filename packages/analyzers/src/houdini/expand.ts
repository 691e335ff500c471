import type { HipEnvironment } from './variables.js';

/**
 * String expansion of the hscript subset a DCC-free reader can evaluate
 * safely: `$NAME` / `${NAME}` variables, `$OS` (the node's name) and the
 * frame variables. Backtick expressions and anything else that needs
 * Houdini itself leave the result unresolved instead of guessing.
 */
export type Expansion = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Frame variables (`$F`, `$FF`, `$SF`, `$F2`…`$F9`, `$T`) are kept as written:
 * the dependency resolver expands them to the files that exist.
 */
const FRAME_VAR = /^(?:F[1-9]?|FF|SF|T)$/;

export interface ExpandOptions {
  /** Name of the node that owns the parameter (`$OS`). */
  nodeName: string;
}

export function expandHoudiniString(text: string, env: HipEnvironment, options: ExpandOptions): Expansion {
  if (text.includes('`')) return { ok: false, reason: 'backtick expression' };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) return { ok: false, reason: 'unterminated braced variable' };
      name = text.slice(i + 2, close);
      end = close + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1, i + 65));
      if (!m) {
        out += c;
        i++;
        continue;
      }
      name = m[0];
      end = i + 1 + name.length;
    }
    if (FRAME_VAR.test(name)) {
      out += text.slice(i, end);
      i = end;
      continue;
    }
    const value = lookup(name, env, options.nodeName);
    if (value === undefined) return { ok: false, reason: `unknown variable $${name}` };
    out += value;
    i = end;
  }
  return { ok: true, value: out };
}

function lookup(name: string, env: HipEnvironment, nodeName: string): string | undefined {
  if (name === 'OS') return nodeName;
  const numeric = numericVariable(name, env);
  if (numeric !== undefined) return String(numeric);
  return env.vars.get(name) ?? env.env[name];
}

/** The global-range variables shared by string and numeric evaluation. */
export function numericVariable(name: string, env: HipEnvironment): number | undefined {
  switch (name) {
    case 'FSTART':
    case 'RFSTART':
      // The restricted playback range is not stored apart from `frange` in the files we read.
      return env.frameStart;
    case 'FEND':
    case 'RFEND':
      return env.frameEnd;
    case 'FPS':
      return env.fps;
    case 'NFRAMES':
      return env.frameEnd - env.frameStart + 1;
    default:
      return undefined;
  }
}
