import type { HipEnvironment } from './variables.js';

/**
 * String expansion of the hscript subset a DCC-free reader can evaluate
 * safely: `$NAME` / `${NAME}` variables, `$OS` (the node's name) and the
 * frame variables. Backtick expressions and anything else that needs
 * Houdini itself leave the result unresolved instead of guessing.
 */
export type Expansion = { ok: true; value: string; hasFrameToken: boolean } | { ok: false; reason: string };

/** Frame variables: `$F`, `$FF`, `$SF`, `$F2`…`$F9` (zero-padded), `$T` (seconds). */
const FRAME_VAR = /^(?:F[1-9]?|FF|SF|T)$/;

export interface ExpandOptions {
  /** Name of the node that owns the parameter (`$OS`). */
  nodeName: string;
  /** Substitute frame variables with this frame; when absent they are kept as written. */
  frame?: number;
}

export function expandHoudiniString(text: string, env: HipEnvironment, options: ExpandOptions): Expansion {
  if (text.includes('`')) return { ok: false, reason: 'backtick expression' };
  let out = '';
  let hasFrameToken = false;
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
    const frameVar = FRAME_VAR.test(name);
    if (frameVar) {
      hasFrameToken = true;
      out += options.frame === undefined ? text.slice(i, end) : frameValue(name, options.frame, env.fps);
      i = end;
      continue;
    }
    const value = lookup(name, env, options.nodeName);
    if (value === undefined) return { ok: false, reason: `unknown variable $${name}` };
    out += value;
    i = end;
  }
  return { ok: true, value: out, hasFrameToken };
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

function frameValue(name: string, frame: number, fps: number): string {
  if (name === 'T') return String((frame - 1) / fps);
  const pad = /^F([1-9])$/.exec(name);
  const whole = Math.trunc(frame);
  if (pad)
    return String(Math.abs(whole))
      .padStart(Number(pad[1]), '0')
      .replace(/^/, whole < 0 ? '-' : '');
  return name === 'FF' ? String(frame) : String(whole);
}
