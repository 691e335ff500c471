import { Scanner } from './hscript-tokens.js';

/**
 * Parser for `.chn` sections: `channel NAME { key = value … segment { … } }`.
 * Only what evaluation needs is kept: the first segment's expression and
 * language, its cached value and the channel defaults. A keyframed channel has
 * several segments; its first one stands for the start of the animation.
 */
export interface Channel {
  name: string;
  /** Expression text with Houdini's escapes removed (`$FSTART`, `"$HIP/x.$F4.exr"`, `{ … }`). */
  expr?: string;
  language: 'hscript' | 'python';
  /** First `value =` number of the first segment (the cached evaluation). */
  value?: number;
  defaultNumber?: number;
  defaultString?: string;
  segments: number;
}

export type ChannelTable = Map<string, Channel>;

export function parseChannels(text: string): ChannelTable {
  const channels: ChannelTable = new Map();
  const s = new Scanner(text);
  for (;;) {
    const t = s.token();
    if (t === undefined) break;
    if (t.quoted || t.text !== 'channel') continue;
    const name = s.token();
    const open = s.token();
    if (name === undefined || open === undefined) break;
    if (open.quoted || open.text !== '{') continue;
    const channel = readChannel(s, name.text);
    channels.set(channel.name, channel);
  }
  return channels;
}

function readChannel(s: Scanner, name: string): Channel {
  const channel: Channel = { name, language: 'hscript', segments: 0 };
  let depth = 1;
  let inSegment = false;
  let prev: string | undefined;
  while (depth > 0) {
    const t = s.token();
    if (t === undefined) break;
    if (!t.quoted && t.text === '{') {
      if (prev === 'segment') {
        inSegment = true;
        channel.segments++;
      }
      depth++;
      prev = undefined;
      continue;
    }
    if (!t.quoted && t.text === '}') {
      depth--;
      if (depth === 1) inSegment = false;
      prev = undefined;
      continue;
    }
    if (!t.quoted && t.text === '=' && prev !== undefined) {
      const key = prev;
      prev = undefined;
      const v = s.token();
      if (v === undefined) break;
      // `options = { autoslope … }`: a braced value is structure, not a value.
      if (!v.quoted && v.text === '{') {
        depth++;
        continue;
      }
      assign(channel, key, v.text, inSegment);
      continue;
    }
    prev = t.quoted ? undefined : t.text;
  }
  return channel;
}

function assign(channel: Channel, key: string, value: string, inSegment: boolean): void {
  const first = channel.segments === 1;
  if (inSegment) {
    if (!first) return;
    if (key === 'expr') channel.expr = value;
    else if (key === 'language') channel.language = value === 'python' ? 'python' : 'hscript';
    else if (key === 'value') {
      const n = Number(value);
      if (Number.isFinite(n)) channel.value = n;
    }
    return;
  }
  if (key === 'default') {
    const n = Number(value);
    if (Number.isFinite(n)) channel.defaultNumber = n;
  } else if (key === 'defaultString') channel.defaultString = unquote(value);
}

/** `defaultString = \"text\"` arrives as `"text"` once escapes are removed. */
function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}
