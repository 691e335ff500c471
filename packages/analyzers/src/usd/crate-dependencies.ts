import { AnalyzeError } from '../core/errors.js';
import { type ByteSource, LeReader } from './byte-source.js';
import {
  type CrateLimits,
  type CrateTables,
  DEFAULT_CRATE_LIMITS,
  decodeValueRep as decodeRep,
  readCrateTables,
  type ValueRep,
  versionAtLeast,
} from './crate-tables.js';
import { isPathLikeProperty, type UsdAssetRef, type UsdRefKind } from './usd-refs.js';

/** Crate value types the dependency reader looks into (USD's crateDataTypes.h numbering). */
const TYPE = {
  String: 10,
  Token: 11,
  AssetPath: 12,
  Dictionary: 31,
  ReferenceListOp: 35,
  TimeSamples: 46,
  Payload: 47,
  StringVector: 50,
  PayloadListOp: 55,
} as const;

/** Value types that can hold an asset path (directly or inside). */
const LOOKED_AT = new Set<number>([
  TYPE.String,
  TYPE.AssetPath,
  TYPE.Dictionary,
  TYPE.ReferenceListOp,
  TYPE.TimeSamples,
  TYPE.Payload,
  TYPE.StringVector,
  TYPE.PayloadListOp,
]);

/** Spec types (SdfSpecType) that are attributes. */
const ATTRIBUTE_SPEC = 1;

/** Nested dictionaries followed at most this deep (clips → set → assetPaths is 2). */
const MAX_DICTIONARY_DEPTH = 16;
/** Values visited per file before the file is refused. */
const MAX_VALUES = 2_000_000;

/**
 * Every asset path a crate layer names: `subLayers`, `references` and
 * `payload` list ops (every list but the deleted one), values of
 * `asset`/`asset[]` type anywhere (attribute defaults, time samples,
 * dictionaries such as `assetInfo` and `customLayerData`), value clips
 * (`clips` dictionaries' `assetPaths`, `manifestAssetPath`,
 * `templateAssetPath`, and the legacy `clip*` fields), and string-typed
 * attributes whose name says they hold a file (`inputs:file`, `filename`).
 * Variants are specs like any other in a crate, so every variant's paths
 * are listed. Values are read where they lie; nothing else of the file is.
 */
export function readCrateDependencies(
  source: ByteSource,
  limits: CrateLimits = DEFAULT_CRATE_LIMITS,
): UsdAssetRef[] {
  const tables = readCrateTables(source, limits);
  return new CrateValueWalker(source, tables).walk();
}

class CrateValueWalker {
  readonly #refs: UsdAssetRef[] = [];
  #values = 0;
  constructor(
    readonly source: ByteSource,
    readonly t: CrateTables,
  ) {}

  walk(): UsdAssetRef[] {
    const { fieldSets, fields, specs } = this.t;
    const next = nextFieldToVisit(fieldSets, fields);
    for (const spec of specs) {
      if (spec.fieldSet < 0 || spec.fieldSet > fieldSets.length) this.#corrupt(`field set ${spec.fieldSet}`);
      // Fields nothing is read from are jumped over, so specs sharing a long field set cost
      // only the fields that are read (each counted against the value budget).
      for (let i = next[spec.fieldSet]!; i < fieldSets.length; i = next[i + 1]!) {
        const fieldIndex = fieldSets[i]!;
        if (fieldIndex === -1) break;
        const field = fields[fieldIndex];
        if (field === undefined) this.#corrupt(`field ${fieldIndex} of ${fields.length}`);
        this.#field(spec.path, spec.specType, field.name, field.rep);
      }
    }
    return this.#refs;
  }

  #field(path: string, specType: number, name: string, rep: ValueRep): void {
    // Most fields hold numbers, tokens or arrays of them: nothing to read, no owner text to build.
    if (!LOOKED_AT.has(rep.type)) return;
    const owner = name === 'default' || name === 'timeSamples' ? `<${path}>` : `<${path}> ${name}`;
    switch (name) {
      case 'subLayers':
        this.#tick();
        if (rep.type === TYPE.StringVector)
          for (const s of this.#stringVector(rep)) this.#add(s, owner, 'sublayer');
        return;
      case 'references':
        this.#tick();
        if (rep.type === TYPE.ReferenceListOp) this.#listOp(rep, owner, 'reference', true);
        return;
      case 'payload':
        this.#tick();
        if (rep.type === TYPE.PayloadListOp) this.#listOp(rep, owner, 'payload', false);
        else if (rep.type === TYPE.Payload) this.#payloadAt(rep.payload, owner);
        return;
      case 'clipTemplateAssetPath':
        this.#tick();
        if (rep.type === TYPE.String) this.#add(this.#inlineString(rep), owner, 'clip-template');
        return;
      case 'clips':
        this.#tick();
        if (rep.type === TYPE.Dictionary) this.#dictionary(rep, owner, 0, true);
        return;
    }
    const pathLike =
      specType === ATTRIBUTE_SPEC &&
      (rep.type === TYPE.String || rep.type === TYPE.TimeSamples) &&
      isPathLikeProperty(propertyName(path));
    this.#value(rep, owner, 0, pathLike, false);
  }

  /** Any value: asset paths always count; strings when the attribute or key says they hold a file. */
  #value(rep: ValueRep, owner: string, depth: number, pathLike: boolean, inClips: boolean): void {
    this.#tick();
    switch (rep.type) {
      case TYPE.AssetPath:
        if (rep.isArray)
          for (const s of this.#stringArray(rep)) this.#add(s, owner, inClips ? 'clip' : 'asset');
        else this.#add(this.#token(rep.payload), owner, inClips ? 'clip' : 'asset');
        return;
      case TYPE.String:
        if (!pathLike) return;
        if (rep.isArray) for (const s of this.#stringArray(rep)) this.#add(s, owner, 'string');
        else this.#add(this.#inlineString(rep), owner, inClips ? 'clip-template' : 'string');
        return;
      case TYPE.Dictionary:
        if (!rep.isArray) this.#dictionary(rep, owner, depth + 1, inClips);
        return;
      case TYPE.TimeSamples:
        this.#timeSamples(rep, owner, depth, pathLike);
        return;
    }
  }

  #dictionary(rep: ValueRep, owner: string, depth: number, inClips: boolean): void {
    if (rep.isInlined) return; // an empty dictionary
    this.#dictionaryAt(rep.payload, owner, depth, inClips, true);
  }

  /**
   * A dictionary at `start`: a count, then per entry a key (string index)
   * and a value written as USD writes any VtValue: an int64 jump over the
   * value's own data to its rep, the next entry right after that rep.
   * Returns where the dictionary ends.
   */
  #dictionaryAt(start: number, owner: string, depth: number, inClips: boolean, visit: boolean): number {
    if (depth > MAX_DICTIONARY_DEPTH)
      throw new AnalyzeError('LIMIT_EXCEEDED', 'dictionaries nested too deep', this.source.name);
    const count = this.#reader(start, 8).u64();
    this.#checkCount(count, 20, start + 8);
    let pos = start + 8;
    for (let i = 0; i < count; i++) {
      const head = this.#reader(pos, 12);
      const key = this.#string(head.u32());
      const jump = head.i64();
      if (jump < 8) this.#corrupt(`dictionary value jump ${jump} at ${pos + 4}`);
      const repAt = pos + 4 + jump;
      const valueRep = this.#repAt(repAt);
      pos = repAt + 8;
      if (visit)
        this.#value(valueRep, `${owner} ${key}`, depth, inClips && key === 'templateAssetPath', inClips);
    }
    return pos;
  }

  /** Time samples: a jump to the times' rep, then a jump to a count and contiguous value reps. */
  #timeSamples(rep: ValueRep, owner: string, depth: number, pathLike: boolean): void {
    if (rep.isInlined) return;
    const start = rep.payload;
    const timesJump = this.#reader(start, 8).i64();
    if (timesJump < 8) this.#corrupt(`time samples jump ${timesJump} at ${start}`);
    const second = start + timesJump + 8;
    const valuesJump = this.#reader(second, 8).i64();
    if (valuesJump < 8) this.#corrupt(`time samples jump ${valuesJump} at ${second}`);
    const at = second + valuesJump;
    const count = this.#reader(at, 8).u64();
    this.#checkCount(count, 8, at + 8);
    const reps = this.#reader(at + 8, count * 8);
    for (let i = 0; i < count; i++) {
      const lo = reps.u32();
      const hi = reps.u32();
      const value = decodeRep(lo, hi);
      if (value.type === TYPE.TimeSamples) continue; // a sample cannot hold samples
      this.#value(value, owner, depth, pathLike, false);
    }
  }

  /** Reference/payload list ops: a header byte of flags, then each present list (count + items). */
  #listOp(rep: ValueRep, owner: string, kind: UsdRefKind, references: boolean): void {
    if (rep.isInlined) return;
    const start = rep.payload;
    const header = this.#reader(start, 1).u8();
    let pos = start + 1;
    // explicit, added, prepended, appended, deleted, ordered: in that order when present.
    const lists = [2, 4, 32, 64, 8, 16];
    for (const bit of lists) {
      if ((header & bit) === 0) continue;
      const count = this.#reader(pos, 8).u64();
      pos += 8;
      this.#checkCount(count, 8, pos);
      for (let i = 0; i < count; i++) {
        this.#tick();
        pos = references
          ? this.#referenceAt(pos, owner, bit !== 8, kind)
          : this.#payloadAt(pos, owner, bit !== 8);
      }
    }
  }

  /** SdfReference: asset path (string index), prim path, layer offset, custom data dictionary. */
  #referenceAt(pos: number, owner: string, keep: boolean, kind: UsdRefKind): number {
    const r = this.#reader(pos, 24);
    const asset = this.#string(r.u32());
    if (keep) this.#add(asset, owner, kind);
    return this.#dictionaryAt(pos + 24, `${owner} customData`, 1, false, keep);
  }

  /** SdfPayload: asset path, prim path, and from crate 0.8 a layer offset. */
  #payloadAt(pos: number, owner: string, keep = true): number {
    const size = versionAtLeast(this.t.version, 8) ? 24 : 8;
    const r = this.#reader(pos, size);
    const asset = this.#string(r.u32());
    if (keep) this.#add(asset, owner, 'payload');
    return pos + size;
  }

  #stringVector(rep: ValueRep): string[] {
    if (rep.isInlined) return [];
    const count = this.#reader(rep.payload, 8).u64();
    this.#checkCount(count, 4, rep.payload + 8);
    this.#tick(count);
    const r = this.#reader(rep.payload + 8, count * 4);
    return Array.from({ length: count }, () => this.#string(r.u32()));
  }

  /** An array of strings or asset paths: a count (32-bit before crate 0.7) and string indices. */
  #stringArray(rep: ValueRep): string[] {
    if (rep.isInlined || rep.payload === 0) return [];
    const wide = versionAtLeast(this.t.version, 7);
    const countSize = wide ? 8 : 4;
    const head = this.#reader(rep.payload, countSize);
    const count = wide ? head.u64() : head.u32();
    this.#checkCount(count, 4, rep.payload + countSize);
    this.#tick(count);
    const r = this.#reader(rep.payload + countSize, count * 4);
    return Array.from({ length: count }, () => this.#string(r.u32()));
  }

  #inlineString(rep: ValueRep): string {
    return this.#string(rep.payload % 0x100000000);
  }

  #string(index: number): string {
    const token = this.t.strings[index];
    if (token === undefined) this.#corrupt(`string ${index} of ${this.t.strings.length}`);
    return this.#token(token);
  }

  #token(index: number): string {
    const token = this.t.tokens[index % 0x100000000];
    if (token === undefined) this.#corrupt(`token ${index} of ${this.t.tokens.length}`);
    return token;
  }

  #repAt(pos: number): ValueRep {
    const r = this.#reader(pos, 8);
    return decodeRep(r.u32(), r.u32());
  }

  #reader(pos: number, length: number): LeReader {
    return new LeReader(this.source.read(pos, length), this.source.name);
  }

  /** A count of items of at least `itemSize` bytes each must fit in the file after `pos`. */
  #checkCount(count: number, itemSize: number, pos: number): void {
    if (count * itemSize > this.source.size - pos) this.#corrupt(`${count} items at ${pos} run past the end`);
  }

  /** Values visited (fields, list op items, array elements, values); a file has {@link MAX_VALUES}. */
  #tick(n = 1): void {
    this.#values += n;
    if (this.#values > MAX_VALUES)
      throw new AnalyzeError('LIMIT_EXCEEDED', 'too many values', this.source.name);
  }

  #add(path: string, owner: string, kind: UsdRefKind): void {
    if (path === '') return;
    this.#refs.push({ path, owner, kind });
  }

  #corrupt(what: string): never {
    throw new AnalyzeError('CORRUPT', `crate: ${what}`, this.source.name);
  }
}

/**
 * For each field-set position, the first position at or after it the walker
 * must stop at: a set's end (-1), a field whose value may hold a path, or an
 * index outside the field table (reported as corrupt when reached). One pass
 * from the end, so every spec's walk skips unread fields in one step.
 */
function nextFieldToVisit(fieldSets: Int32Array, fields: CrateTables['fields']): Int32Array {
  const next = new Int32Array(fieldSets.length + 1);
  next[fieldSets.length] = fieldSets.length;
  for (let i = fieldSets.length - 1; i >= 0; i--) {
    const field = fields[fieldSets[i]!];
    next[i] = field === undefined || LOOKED_AT.has(field.rep.type) ? i : next[i + 1]!;
  }
  return next;
}

/** `inputs:file` of `</Looks/tex.inputs:file>`. */
function propertyName(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(dot + 1);
}
