import { type ParmTable, parseParms } from './parm-parser.js';
import type { HoudiniNode } from './scene-tree.js';

/**
 * Houdini takes from the `.takes` section. Layout, verified on files saved
 * by Houdini 12.1 with take overrides (`houdini-takes-real.test.ts`) and on
 * the empty form every newer corpus file holds
 * (`HoudiniTakeFile 1.0\ntake name Main kids 0\n` then a chunk `e\n`):
 *
 *   HoudiniTakeFile 1.0\n
 *   take name <name> kids <n>\n     one header per take, parents before their kids
 *   <u32 big-endian length><chunk>  chunks of the take, until the next header:
 *     `s <index> <text>\n`          an entry of the string table shared by all takes
 *     `d <node> <parm>\n<u32 length>{\nversion 0.8\n<.parm line>\n}\n`
 *                                   one overridden parm of one node (both string indexes)
 *     `e\n`                         end of the take
 *
 * The Main take holds its own values of the parms other takes override.
 * Anything else is skipped (a damaged section gives fewer takes, never an
 * error: the scene still reads with its Main take values).
 */
export interface HoudiniTake {
  name: string;
  /** Take this one inherits overrides from (undefined for Main). */
  parent?: string;
  /** Node path → the parms the take overrides on it. */
  overrides: Map<string, ParmTable>;
}

/** The take a ROP's `take` parm names when it renders the current take. */
export const CURRENT_TAKE = '_current_';

/** Cap on takes and chunks read, so a hostile section costs bounded time. */
const MAX_TAKES = 10_000;
const MAX_CHUNKS = 1_000_000;

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');
const TAKE_HEADER = /^take name (\S+) kids (\d+)$/;

export function parseTakes(body: Uint8Array): Map<string, HoudiniTake> {
  const takes = new Map<string, HoudiniTake>();
  let at = 0;
  const first = lineEnd(body, 0);
  if (latin1.decode(body.subarray(0, first)).startsWith('HoudiniTakeFile ')) at = first + 1;
  const strings = new Map<number, string>();
  // Open takes with the number of kids still to come, so each header finds its parent.
  const open: { name: string; kidsLeft: number }[] = [];
  let chunks = 0;
  while (at < body.length && takes.size < MAX_TAKES) {
    const end = lineEnd(body, at);
    const header = TAKE_HEADER.exec(utf8.decode(body.subarray(at, end)));
    if (header === null) break;
    at = end + 1;
    while (open.length > 0 && open[open.length - 1]!.kidsLeft === 0) open.pop();
    const parent = open[open.length - 1];
    if (parent !== undefined) parent.kidsLeft--;
    const take: HoudiniTake = { name: header[1]!, parent: parent?.name, overrides: new Map() };
    // A repeated name (damaged file) keeps its first definition.
    if (!takes.has(take.name)) takes.set(take.name, take);
    open.push({ name: take.name, kidsLeft: Number(header[2]) });
    // Chunks until the next header or the end.
    while (at + 4 <= body.length && chunks++ < MAX_CHUNKS) {
      if (startsWith(body, at, 'take name ')) break;
      const size = u32(body, at);
      if (at + 4 + size > body.length) return takes;
      readChunk(body.subarray(at + 4, at + 4 + size), strings, take);
      at += 4 + size;
    }
  }
  return takes;
}

function readChunk(bytes: Uint8Array, strings: Map<number, string>, take: HoudiniTake): void {
  const nl = bytes.indexOf(0x0a);
  const first = utf8.decode(nl < 0 ? bytes : bytes.subarray(0, nl));
  if (first.startsWith('s ')) {
    const space = first.indexOf(' ', 2);
    const index = Number(first.slice(2, space < 0 ? undefined : space));
    if (space > 0 && Number.isInteger(index)) strings.set(index, first.slice(space + 1));
    return;
  }
  if (!first.startsWith('d ') || nl < 0) return;
  const nodeName = strings.get(Number(first.slice(2).trim().split(/\s+/)[0]));
  if (nodeName === undefined || nodeName === '') return;
  const path = nodeName.startsWith('/') ? nodeName : `/${nodeName}`;
  // The parm block is length-prefixed inside the chunk; a block without the prefix reads too.
  let block = bytes.subarray(nl + 1);
  if (block.length >= 4) {
    if (u32(block, 0) === block.length - 4) block = block.subarray(4);
  }
  const parms = parseParms(utf8.decode(block));
  const existing = take.overrides.get(path);
  if (existing === undefined) take.overrides.set(path, parms);
  else for (const [name, value] of parms) existing.set(name, value);
}

/**
 * The nodes as a render in `takeName` sees them: the Main values with the
 * overrides of every take from the top down to `takeName` applied (a take
 * inherits its parent's overrides and its own win). Undefined for an unknown take.
 */
export function nodesInTake(
  nodes: Map<string, HoudiniNode>,
  takes: Map<string, HoudiniTake>,
  takeName: string,
): Map<string, HoudiniNode> | undefined {
  const chain: HoudiniTake[] = [];
  for (
    let take = takes.get(takeName);
    take !== undefined;
    take = take.parent ? takes.get(take.parent) : undefined
  ) {
    if (chain.includes(take)) break;
    chain.unshift(take);
  }
  if (chain.length === 0) return undefined;
  const out = new Map(nodes);
  for (const take of chain) {
    for (const [path, parms] of take.overrides) {
      const node = out.get(path);
      if (node === undefined) continue;
      const merged = new Map(node.parms);
      // An overridden parm's value is the take's; its channel (if any) is the Main take's.
      for (const [name, value] of parms) merged.set(name, value);
      out.set(path, { ...node, parms: merged });
    }
  }
  return out;
}

/** The big-endian 32-bit length at `at` (the caller has checked 4 bytes are there). */
function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function lineEnd(body: Uint8Array, from: number): number {
  const nl = body.indexOf(0x0a, from);
  return nl < 0 ? body.length : nl;
}

function startsWith(body: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > body.length) return false;
  for (let i = 0; i < text.length; i++) if (body[at + i] !== text.charCodeAt(i)) return false;
  return true;
}
