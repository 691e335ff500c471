import { AnalyzeError } from '../core/errors.js';
import type { ByteView } from './byte-view.js';
import type { SdnaField, SdnaStruct } from './sdna.js';

/**
 * A typed window on one struct instance inside the file, reading fields by
 * their SDNA name. Each accessor takes several candidate names because DNA
 * fields get renamed across Blender versions (`filename` → `filepath`);
 * the first one the file's SDNA knows wins. A field the struct lacks reads
 * as `undefined`, so callers decide what absence means.
 */
export class StructView {
  constructor(
    readonly view: ByteView,
    readonly struct: SdnaStruct,
    readonly offset: number,
  ) {}

  get type(): string {
    return this.struct.type;
  }

  field(...names: string[]): SdnaField | undefined {
    for (const n of names) {
      const f = this.struct.fieldByName.get(n);
      if (f) return f;
    }
    return undefined;
  }

  has(...names: string[]): boolean {
    return this.field(...names) !== undefined;
  }

  /** Any integer or float field, read with the width its SDNA type declares (first array element for arrays). */
  number(...names: string[]): number | undefined {
    const f = this.field(...names);
    if (!f || f.isPointer) return undefined;
    const at = this.offset + f.offset;
    switch (f.type) {
      case 'char':
      case 'uchar':
      case 'uint8_t':
      case 'bool':
        return this.view.u8(at);
      case 'int8_t':
        return this.view.i8(at);
      case 'short':
      case 'int16_t':
        return this.view.i16(at);
      case 'ushort':
      case 'uint16_t':
        return this.view.u16(at);
      case 'int':
      case 'int32_t':
        return this.view.i32(at);
      case 'uint32_t':
        return this.view.u32(at);
      case 'int64_t':
      case 'uint64_t':
        return this.view.i64(at);
      case 'float':
        return this.view.f32(at);
      case 'double':
        return this.view.f64(at);
      default:
        return undefined;
    }
  }

  /** A `char name[N]` field as text. */
  string(...names: string[]): string | undefined {
    const f = this.field(...names);
    if (!f || f.isPointer || f.type !== 'char') return undefined;
    return this.view.fixedString(this.offset + f.offset, f.size);
  }

  /** A pointer field's saved address (0n = NULL); undefined if no such pointer field. */
  pointer(...names: string[]): bigint | undefined {
    const f = this.field(...names);
    if (!f?.isPointer) return undefined;
    return this.view.pointer(this.offset + f.offset);
  }

  /** A struct embedded by value (`RenderData r` inside `Scene`). */
  embedded(structs: ReadonlyMap<string, SdnaStruct>, ...names: string[]): StructView | undefined {
    const f = this.field(...names);
    if (!f || f.isPointer) return undefined;
    const inner = structs.get(f.type);
    if (!inner) return undefined;
    if (inner.size > f.size) {
      throw new AnalyzeError(
        'CORRUPT',
        `.blend SDNA: field ${this.type}.${f.name} is smaller than its struct ${f.type}`,
      );
    }
    return new StructView(this.view, inner, this.offset + f.offset);
  }
}
