import { AnalyzeError } from '../core/errors.js';
import type { ByteView } from './byte-view.js';
import { MAX_SDNA_NAMES, MAX_SDNA_TYPES, MAX_STRUCT_FIELDS } from './limits.js';

/**
 * The SDNA ("struct DNA") every .blend carries in its DNA1 block: the names,
 * types, type sizes and struct layouts of the Blender that saved it. Reading
 * fields through it (never through hard-coded offsets) is what lets one
 * reader handle 2.5x … 5.x files and both pointer sizes.
 */
export interface SdnaField {
  /** Bare identifier: `pic` for `pic[1024]`, `camera` for `*camera`, `func` for `(*func)()`. */
  name: string;
  /** Declaration as written in the SDNA (`pic[1024]`, `*camera`). */
  declaration: string;
  type: string;
  offset: number;
  /** Total bytes, arrays included. */
  size: number;
  isPointer: boolean;
  /** Array dimensions (`[4][4]` → [4, 4]); empty for scalars. */
  dims: number[];
}

export interface SdnaStruct {
  index: number;
  type: string;
  /** Size the file declares for the struct (TLEN). */
  size: number;
  fields: readonly SdnaField[];
  fieldByName: ReadonlyMap<string, SdnaField>;
}

export interface Sdna {
  types: string[];
  typeSizes: number[];
  structs: SdnaStruct[];
  structByType: Map<string, SdnaStruct>;
}

function corrupt(message: string): AnalyzeError {
  return new AnalyzeError('CORRUPT', `.blend SDNA: ${message}`);
}

/** Sections are 4-byte aligned relative to the start of the DNA1 data (not to the file: the 17-byte 5.x header breaks that). */
function align4(start: number, at: number): number {
  return start + ((at - start + 3) & ~3);
}

function expectTag(view: ByteView, at: number, tag: string): number {
  if (at + 4 > view.length || view.ascii(at, 4) !== tag) throw corrupt(`missing ${tag} section`);
  return at + 4;
}

function readCount(view: ByteView, at: number, max: number, what: string): number {
  const n = view.i32(at);
  if (n < 0 || n > max) throw corrupt(`implausible ${what} count ${n}`);
  return n;
}

/** Reads `count` NUL-terminated strings starting at `at`, none running past `end`. */
function readStrings(view: ByteView, at: number, count: number, end: number): [string[], number] {
  const out: string[] = new Array(count);
  let p = at;
  for (let i = 0; i < count; i++) {
    const nul = view.findNul(p, end);
    out[i] = view.ascii(p, nul - p);
    p = nul + 1;
  }
  return [out, p];
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/;

/** Splits a declaration such as `*mtex[18]` or `(*func)()` into identifier, pointer-ness and array dims. */
export function parseDeclaration(decl: string): { name: string; isPointer: boolean; dims: number[] } {
  const isPointer = decl.includes('*');
  const bracket = decl.indexOf('[');
  const head = bracket < 0 ? decl : decl.slice(0, bracket);
  const name = IDENTIFIER.exec(head)?.[0] ?? decl;
  const dims: number[] = [];
  if (bracket >= 0) {
    for (const m of decl.slice(bracket).matchAll(/\[(\d+)\]/g)) dims.push(Number(m[1]));
  }
  return { name, isPointer, dims };
}

type Declaration = ReturnType<typeof parseDeclaration>;

interface SdnaTables {
  view: ByteView;
  names: string[];
  types: string[];
  typeSizes: number[];
  /** parseDeclaration results by name index, filled on demand. */
  declarations: Map<number, Declaration>;
}

/**
 * A struct whose field layout is computed on first use: a file describes
 * about a thousand structs, the reader needs about twenty of them.
 */
class LazyStruct implements SdnaStruct {
  readonly type: string;
  readonly size: number;
  private layout: { fields: SdnaField[]; fieldByName: Map<string, SdnaField> } | undefined;

  constructor(
    private readonly tables: SdnaTables,
    readonly index: number,
    typeIndex: number,
    private readonly fieldCount: number,
    private readonly fieldTable: number,
  ) {
    this.type = tables.types[typeIndex]!;
    this.size = tables.typeSizes[typeIndex]!;
  }

  get fields(): readonly SdnaField[] {
    return this.computeLayout().fields;
  }

  get fieldByName(): ReadonlyMap<string, SdnaField> {
    return this.computeLayout().fieldByName;
  }

  private computeLayout() {
    if (this.layout) return this.layout;
    const { view, names, types, typeSizes, declarations } = this.tables;
    const fields: SdnaField[] = [];
    const fieldByName = new Map<string, SdnaField>();
    let offset = 0;
    for (let f = 0, at = this.fieldTable; f < this.fieldCount; f++, at += 4) {
      const fieldType = view.i16(at);
      const nameIndex = view.i16(at + 2);
      if (fieldType < 0 || fieldType >= types.length || nameIndex < 0 || nameIndex >= names.length) {
        throw corrupt(`struct ${this.type} field ${f} has a bad type or name index`);
      }
      let decl = declarations.get(nameIndex);
      if (!decl) {
        decl = parseDeclaration(names[nameIndex]!);
        declarations.set(nameIndex, decl);
      }
      const count = decl.dims.reduce((a, b) => a * b, 1);
      // Pointers (including arrays of pointers and function pointers) take the file's pointer size.
      const size = (decl.isPointer ? view.pointerSize : typeSizes[fieldType]!) * count;
      const field: SdnaField = {
        name: decl.name,
        declaration: names[nameIndex]!,
        type: types[fieldType]!,
        offset,
        size,
        isPointer: decl.isPointer,
        dims: decl.dims,
      };
      fields.push(field);
      if (!fieldByName.has(field.name)) fieldByName.set(field.name, field);
      offset += size;
    }
    this.layout = { fields, fieldByName };
    return this.layout;
  }
}

/** Parses the DNA1 block data at [start, end). */
export function parseSdna(view: ByteView, start: number, end: number): Sdna {
  let at = expectTag(view, start, 'SDNA');
  at = expectTag(view, at, 'NAME');
  const nameCount = readCount(view, at, MAX_SDNA_NAMES, 'name');
  const [names, afterNames] = readStrings(view, at + 4, nameCount, end);

  at = expectTag(view, align4(start, afterNames), 'TYPE');
  const typeCount = readCount(view, at, MAX_SDNA_TYPES, 'type');
  const [types, afterTypes] = readStrings(view, at + 4, typeCount, end);

  at = expectTag(view, align4(start, afterTypes), 'TLEN');
  const typeSizes: number[] = new Array(typeCount);
  for (let i = 0; i < typeCount; i++) typeSizes[i] = view.u16(at + i * 2);
  at = expectTag(view, align4(start, at + typeCount * 2), 'STRC');
  const structCount = readCount(view, at, MAX_SDNA_TYPES, 'struct');
  at += 4;

  const structs: SdnaStruct[] = [];
  const structByType = new Map<string, SdnaStruct>();
  const tables = { view, names, types, typeSizes, declarations: new Map<number, Declaration>() };
  for (let s = 0; s < structCount; s++) {
    if (at + 4 > end) throw corrupt('struct table runs past the DNA1 block');
    const typeIndex = view.i16(at);
    const fieldCount = view.i16(at + 2);
    if (typeIndex < 0 || typeIndex >= typeCount) throw corrupt(`struct ${s} has type index ${typeIndex}`);
    if (fieldCount < 0 || fieldCount > MAX_STRUCT_FIELDS)
      throw corrupt(`struct ${s} has ${fieldCount} fields`);
    if (at + 4 + fieldCount * 4 > end) throw corrupt('struct table runs past the DNA1 block');
    const struct = new LazyStruct(tables, s, typeIndex, fieldCount, at + 4);
    structs.push(struct);
    if (!structByType.has(struct.type)) structByType.set(struct.type, struct);
    at += 4 + fieldCount * 4;
  }
  return { types, typeSizes, structs, structByType };
}
