import { TextDecoder } from 'node:util';
import { AnalyzeError } from '../core/index.js';
import {
  ANALYSIS_NODE_TYPE_BYTES,
  isAnalysisAttribute,
  isAnalysisAttributeBytes,
  isAnalysisConnection,
  isAnalysisConnectionBytes,
} from './analysis-attributes.js';
import { type ByteRange, indexOfByte, quotedRange } from './byte-names.js';
import { MaStatementReader } from './ma-statements.js';
import { type MaToken, type TextSlicer, textSlicer, tokenize, unescapeMel } from './ma-tokens.js';
import { isSpace } from './ma-statements.js';
import {
  emptyDocument,
  getOrCreateNode,
  type MayaDocument,
  type MayaAttrValue,
  type MayaNode,
  type MayaReference,
  nodeKey,
  setAttr,
} from './maya-document.js';

/** Value words kept per numeric attribute: enough for flags, enums, vectors; never a mesh payload. */
const MAX_NUMERIC_VALUES = 16;
/** Words read to find a setAttr's attribute and `-type`. */
const SETATTR_HEAD_TOKENS = 12;
/** Bytes of a setAttr read to find its flags, attribute and `-type`. */
const SETATTR_HEAD_BYTES = 512;
/** Beyond this many bytes a non-string setAttr is a data payload (points, UVs, keys) and is skipped. */
const SMALL_STATEMENT = 512;
const STRING_TYPES = new Set(['string', 'stringArray']);
/**
 * A single string longer than this is script text (UI configuration, MEL
 * or Python procedures), never a path or a setting: it is not decoded.
 */
const MAX_STRING_STATEMENT = 16 * 1024;
/** setAttr flags that take no argument (every other flag before the attribute takes one). */
const SETATTR_BARE_FLAGS = new Set(['-av', '-ca', '-c', '-alteredValue', '-caching', '-clamp']);

/**
 * Parse Maya ASCII text or bytes into a {@link MayaDocument} holding what the
 * analysis reads: nodes of the types and attributes listed in
 * analysis-attributes.ts, and the connections between render layers,
 * collections and overrides; everything else is skipped unstored. Throws
 * AnalyzeError('WRONG_FORMAT') for input that is not Maya ASCII (a Maya
 * binary, another binary, or text with no Maya statement at all). Never
 * evaluates MEL: script nodes are just strings.
 */
export function parseMayaAscii(input: string | Uint8Array, file?: string): MayaDocument {
  const buf =
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const head = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.length, 4096)).toString('latin1');
  if (/^FOR[48]/.test(head) || /^CAT[48]/.test(head)) {
    throw new AnalyzeError('WRONG_FORMAT', 'this is a Maya binary file, not Maya ASCII', file);
  }
  if (head.includes('\u0000')) throw new AnalyzeError('WRONG_FORMAT', 'binary data, not Maya ASCII', file);

  const doc = emptyDocument('ma');
  const headerVersion = /^\/\/Maya ASCII (\S+) scene/m.exec(head);
  if (headerVersion !== null) doc.version = headerVersion[1];
  const codeset = /^\/\/Codeset: *(\S+)/m.exec(head);
  if (codeset !== null) doc.codeset = codeset[1];
  const decode = textSlicer(buf, decoderFor(doc.codeset));

  const reader = new MaStatementReader(buf);
  // The node setAttr/addAttr lines apply to; created in the document only once it matters.
  let current: MayaNode | undefined;
  let autoName = 0;
  // A createNode seen as byte ranges, or a `select` target, not yet in the document.
  // One reusable record: a node is pending only until the next createNode or select.
  const pending: PendingNode = newPendingNode();
  const materialize = (): MayaNode | undefined => {
    if (current === undefined && pending.kind !== 'none') {
      if (pending.kind === 'select') current = getOrCreateNode(doc, '', pending.select);
      else {
        const type = decode(pending.type.start, pending.type.end);
        const name = pending.name.start < 0 ? `${type}#${++autoName}` : wordText(pending.name, decode);
        const parent = pending.parent.start < 0 ? undefined : wordText(pending.parent, decode);
        current = getOrCreateNode(doc, type, name, parent);
      }
      pending.kind = 'none';
    }
    return current;
  };
  let recognized = headerVersion !== null;
  const s = reader;
  const range: ByteRange = { start: 0, end: 0 };
  while (reader.next()) {
    if (!s.terminated) {
      doc.partial = true;
      doc.notes.push('the file ends inside a statement (truncated)');
    }
    const command = firstWord(buf, s.start, s.end);
    switch (command) {
      case 'createNode': {
        current = undefined;
        if (!readCreateNode(buf, s.start, s.end, pending)) break;
        if (ANALYSIS_NODE_TYPE_BYTES.has(buf, pending.type.start, pending.type.end)) materialize();
        recognized = true;
        break;
      }
      case 'select': {
        const t = tokenize(buf, s.start, s.end, decode, 8);
        const target = t.findLast((x) => x.text !== 'select' && !x.text.startsWith('-'));
        current = undefined;
        pending.kind = target === undefined ? 'none' : 'select';
        pending.select = target?.text ?? '';
        break;
      }
      case 'setAttr': {
        if (current === undefined && pending.kind === 'none') break;
        // The attribute is the first quoted word; most are skipped before any tokenizing.
        if (!quotedRange(buf, s.start, s.end, 0, range)) break;
        if (buf[range.start] !== DOT || !isAnalysisAttributeBytes(buf, range.start + 1, range.end)) break;
        const set = readSetAttr(buf, s.start, s.end, decode);
        if (set === undefined) break;
        const node = materialize();
        if (node !== undefined) setAttr(node, set.attr, set.value);
        break;
      }
      case 'addAttr':
        // Dynamic attribute defaults matter for override nodes, which always exist by now.
        if (current !== undefined) readAddAttr(tokenize(buf, s.start, s.end, decode, 64), current);
        break;
      case 'connectAttr': {
        if (!quotedRange(buf, s.start, s.end, 1, range)) break;
        const dot = indexOfByte(buf, DOT, range.start, range.end);
        if (!isAnalysisConnectionBytes(buf, dot + 1, range.end)) break;
        const t = tokenize(buf, s.start, s.end, decode, 12).filter((x) => x.quoted);
        const src = splitPlug(t[0]?.text);
        const dst = splitPlug(t[1]?.text);
        if (src !== undefined && dst !== undefined && isAnalysisConnection(dst[1])) {
          doc.connections.push({ srcNode: src[0], srcAttr: src[1], dstNode: dst[0], dstAttr: dst[1] });
        }
        break;
      }
      case 'requires': {
        const [plugin, version] = requiresArgs(tokenize(buf, s.start, s.end, decode, 400));
        if (plugin === undefined) break;
        if (plugin === 'maya') doc.version = version;
        else doc.plugins.set(plugin, version ?? '');
        recognized = true;
        break;
      }
      case 'fileInfo': {
        const t = tokenize(buf, s.start, s.end, decode, 4).filter((x) => x.quoted);
        if (t.length >= 2) doc.fileInfo.set(t[0]!.text, t[1]!.text);
        recognized = true;
        break;
      }
      case 'currentUnit': {
        const t = tokenize(buf, s.start, s.end, decode, 12);
        const unit = flagValue(t, '-t', '-time');
        if (unit !== undefined) doc.timeUnit = unit;
        break;
      }
      case 'file': {
        const ref = readFileCommand(tokenize(buf, s.start, s.end, decode, 64));
        if (ref !== undefined) doc.references.push(ref);
        recognized = true;
        break;
      }
      default:
        // rename, lockNode, relationship, parent, dataStructure, script text…: not needed for analysis.
        break;
    }
  }
  if (!recognized) throw new AnalyzeError('WRONG_FORMAT', 'no Maya ASCII content found', file);
  return doc;
}

const DOT = 0x2e;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A word of a statement as bytes; `start` -1 when absent. */
interface Word {
  start: number;
  end: number;
  quoted: boolean;
}

/**
 * The node the next setAttr lines apply to before it is in the document: a
 * createNode's type, `-n` name and `-p` parent as byte ranges (decoded only
 * if the node is kept), or a `select -ne` target.
 */
interface PendingNode {
  kind: 'none' | 'create' | 'select';
  type: Word;
  name: Word;
  parent: Word;
  select: string;
}

function newPendingNode(): PendingNode {
  const word = (): Word => ({ start: -1, end: -1, quoted: false });
  return { kind: 'none', type: word(), name: word(), parent: word(), select: '' };
}

function setWord(word: Word, start: number, end: number, quoted: boolean): void {
  word.start = start;
  word.end = end;
  word.quoted = quoted;
}

function wordText(word: Word, decode: TextSlicer): string {
  const text = decode(word.start, word.end);
  return word.quoted ? unescapeMel(text) : text;
}

const NAME_FLAGS = ['-n', '-name'].map((f) => Buffer.from(f));
const PARENT_FLAGS = ['-p', '-parent'].map((f) => Buffer.from(f));

function isFlag(buf: Uint8Array, start: number, end: number, flags: readonly Uint8Array[]): boolean {
  next: for (const flag of flags) {
    if (flag.length !== end - start) continue;
    for (let k = 0; k < flag.length; k++) if (buf[start + k] !== flag[k]) continue next;
    return true;
  }
  return false;
}

/**
 * `createNode type [-s] [-n name] [-p parent] [-ss]` as byte ranges, read
 * word by word without building a token list (most created nodes are
 * dropped unread).
 */
function readCreateNode(buf: Uint8Array, start: number, end: number, out: PendingNode): boolean {
  out.kind = 'none';
  out.name.start = -1;
  out.parent.start = -1;
  // 0: the command word, 1: the type, 2: flags; 3/4: the value of -n/-p.
  let state = 0;
  let i = start;
  while (i < end) {
    const c = buf[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    let wordStart = i;
    let wordEnd: number;
    const quoted = c === QUOTE;
    if (quoted) {
      let j = i + 1;
      while (j < end && buf[j] !== QUOTE) j += buf[j] === BACKSLASH ? 2 : 1;
      wordStart = i + 1;
      wordEnd = Math.min(j, end);
      i = j + 1;
    } else {
      let j = i + 1;
      while (j < end && !isSpace(buf[j]!) && buf[j] !== QUOTE) j++;
      wordEnd = j;
      i = j;
    }
    if (state === 0) state = 1;
    else if (state === 1) {
      if (quoted) return false;
      setWord(out.type, wordStart, wordEnd, false);
      out.kind = 'create';
      state = 2;
    } else if (state === 3) {
      setWord(out.name, wordStart, wordEnd, quoted);
      state = 2;
    } else if (state === 4) {
      setWord(out.parent, wordStart, wordEnd, quoted);
      state = 2;
    } else if (!quoted && isFlag(buf, wordStart, wordEnd, NAME_FLAGS)) state = 3;
    else if (!quoted && isFlag(buf, wordStart, wordEnd, PARENT_FLAGS)) state = 4;
  }
  return out.kind === 'create';
}

/** `requires [-nodeType t]… [-dataType t]… plugin version` → [plugin, version], trimmed. */
function requiresArgs(t: readonly MaToken[]): (string | undefined)[] {
  const args: string[] = [];
  for (let i = 1; i < t.length; i++) {
    const tok = t[i]!;
    if (!tok.quoted && tok.text.startsWith('-')) i++;
    else args.push(tok.text.trim());
  }
  return args.slice(0, 2);
}

function decoderFor(codeset: string | undefined): TextDecoder {
  let label = 'utf-8';
  if (codeset !== undefined && /^\d+$/.test(codeset)) label = `windows-${codeset}`;
  else if (codeset !== undefined && /^(?:iso-?8859|latin)/i.test(codeset)) label = 'latin1';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder;
}

/** The commands the parser handles, as bytes. */
const COMMANDS = [
  'createNode',
  'select',
  'setAttr',
  'addAttr',
  'connectAttr',
  'requires',
  'fileInfo',
  'currentUnit',
  'file',
].map((name) => ({ name, bytes: Buffer.from(name, 'latin1') }));

/**
 * The command word of a statement when it is one the parser handles, else
 * '' — compared on bytes, as a million statements must not cost a million
 * strings.
 */
function firstWord(buf: Buffer, start: number, end: number): string {
  let i = start;
  const limit = Math.min(end, start + 16);
  while (i < limit && buf[i]! > 0x20) i++;
  const length = i - start;
  next: for (const command of COMMANDS) {
    const bytes = command.bytes;
    if (bytes.length !== length) continue;
    for (let k = 0; k < length; k++) if (buf[start + k] !== bytes[k]) continue next;
    return command.name;
  }
  return '';
}

function flagValue(tokens: readonly MaToken[], ...flags: string[]): string | undefined {
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (!t.quoted && flags.includes(t.text)) return tokens[i + 1]!.text;
  }
  return undefined;
}

function splitPlug(plug: string | undefined): [string, string] | undefined {
  if (plug === undefined) return undefined;
  const dot = plug.indexOf('.');
  if (dot <= 0) return undefined;
  return [nodeKey(plug.slice(0, dot)), plug.slice(dot + 1)];
}

function readSetAttr(
  buf: Uint8Array,
  start: number,
  end: number,
  decode: TextSlicer,
): { attr: string; value: MayaAttrValue } | undefined {
  // Read the head from a bounded byte window: one token can be a megabyte of script.
  const headEnd = Math.min(end, start + SETATTR_HEAD_BYTES);
  let t = tokenize(buf, start, headEnd, decode, SETATTR_HEAD_TOKENS);
  const complete = headEnd === end && t.length < SETATTR_HEAD_TOKENS;
  let i = 1;
  while (i < t.length && !t[i]!.quoted && t[i]!.text.startsWith('-')) {
    i += SETATTR_BARE_FLAGS.has(t[i]!.text) ? 1 : 2;
  }
  const attrToken = t[i];
  if (attrToken === undefined || !attrToken.text.startsWith('.')) return undefined;
  const attr = attrToken.text.slice(1);
  if (!isAnalysisAttribute(attr)) return undefined;
  i++;
  let type: string | undefined;
  if (t[i]?.text === '-type' && !t[i]!.quoted) {
    type = t[i + 1]?.text;
    i += 2;
  }
  const stringy = type !== undefined && STRING_TYPES.has(type);
  if (!complete) {
    if (type === 'string' && end - start > MAX_STRING_STATEMENT) return undefined;
    if (stringy) t = tokenize(buf, start, end, decode);
    else if (end - start <= SMALL_STATEMENT) t = tokenize(buf, start, end, decode, i + MAX_NUMERIC_VALUES);
    // A data payload (mesh points, UVs, animation keys) is nothing the analysis reads.
    else return undefined;
  }
  const values = t.slice(i, stringy ? undefined : i + MAX_NUMERIC_VALUES).map((x) => x.text);
  if (values.length === 0) return undefined;
  // stringArray values start with their count.
  const stored = type === 'stringArray' ? values.slice(1) : values;
  return { attr, value: type === undefined ? { values: stored } : { type, values: stored } };
}

function readAddAttr(t: readonly MaToken[], node: MayaNode): void {
  const dv = flagValue(t, '-dv', '-defaultValue');
  if (dv === undefined) return;
  const defaults = node.attrDefaults ?? new Map<string, string>();
  for (const name of [flagValue(t, '-sn', '-shortName'), flagValue(t, '-ln', '-longName')]) {
    if (name !== undefined) defaults.set(name, dv);
  }
  node.attrDefaults = defaults;
}

/** Flags of `file` that take no argument; all others take one. */
const FILE_BARE_FLAGS = new Set([
  '-r',
  '-reference',
  '-dns',
  '-gl',
  '-lck',
  '-lckd',
  '-i',
  '-o',
  '-f',
  '-pmt',
]);

function readFileCommand(t: readonly MaToken[]): MayaReference | undefined {
  const flags = new Map<string, string>();
  let isReference = false;
  let path: string | undefined;
  for (let i = 1; i < t.length; i++) {
    const tok = t[i]!;
    if (!tok.quoted && tok.text.startsWith('-')) {
      if (tok.text === '-r' || tok.text === '-reference') isReference = true;
      if (FILE_BARE_FLAGS.has(tok.text)) continue;
      flags.set(tok.text, t[i + 1]?.text ?? '');
      i++;
      continue;
    }
    if (tok.quoted) path = tok.text;
  }
  const depth = flags.get('-rdi') ?? flags.get('-referenceDepthInfo');
  if (path === undefined || (!isReference && depth === undefined)) return undefined;
  const ns = flags.get('-ns') ?? flags.get('-namespace');
  const rfn = flags.get('-rfn') ?? flags.get('-referenceNode');
  const typ = flags.get('-typ') ?? flags.get('-type');
  const dr = flags.get('-dr') ?? flags.get('-deferReference');
  return {
    path,
    ...(ns === undefined ? {} : { namespace: ns }),
    ...(rfn === undefined ? {} : { referenceNode: rfn }),
    ...(typ === undefined ? {} : { fileType: typ }),
    deferred: dr !== undefined && dr !== '0' && dr !== 'false',
    ...(depth === undefined ? {} : { depthInfo: Number(depth) || 1 }),
  };
}
