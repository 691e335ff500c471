import { AnalyzeError } from '../core/errors.js';
import { type Block, readBlocks } from './blocks.js';
import { ByteView } from './byte-view.js';
import { type BlendCompression, unwrapBlend } from './container.js';
import { type BlendHeader, parseHeader } from './header.js';
import { type BlendLimits, DEFAULT_BLEND_LIMITS } from './limits.js';
import { parseSdna, type Sdna, type SdnaStruct } from './sdna.js';
import { StructView } from './struct-view.js';

/**
 * A parsed .blend: header, block index, SDNA and the address map that turns
 * saved pointers back into blocks. Knows nothing about scenes or images; the
 * extractors (scenes.ts, external-files.ts) ask it for structs by type.
 */
export class BlendFile {
  readonly header: BlendHeader;
  readonly view: ByteView;
  readonly blocks: Block[];
  readonly sdna: Sdna;
  private readonly byAddress = new Map<bigint, Block>();
  /** Blocks by SDNA struct index, so each "all Images" query touches only its own blocks. */
  private readonly byStruct = new Map<number, Block[]>();

  private constructor(
    readonly compression: BlendCompression,
    data: Uint8Array,
    readonly limits: BlendLimits,
  ) {
    this.header = parseHeader(data);
    this.view = new ByteView(data, this.header.littleEndian, this.header.pointerSize);
    this.blocks = readBlocks(this.view, this.header, limits.maxBlocks);
    const dna = this.blocks.find((b) => b.code === 'DNA1');
    if (!dna) throw new AnalyzeError('CORRUPT', '.blend has no DNA1 (SDNA) block');
    this.sdna = parseSdna(this.view, dna.offset, dna.offset + dna.size);
    for (const b of this.blocks) {
      if (b.oldAddress !== 0n && !this.byAddress.has(b.oldAddress)) this.byAddress.set(b.oldAddress, b);
      if (b.code === 'DNA1' || b.code === 'ENDB') continue;
      const same = this.byStruct.get(b.sdnaIndex);
      if (same) same.push(b);
      else this.byStruct.set(b.sdnaIndex, [b]);
    }
  }

  /** Parses a .blend from its on-disk bytes (plain, gzip or zstd). */
  static parse(fileBytes: Uint8Array, limits: Partial<BlendLimits> = {}): BlendFile {
    const all: BlendLimits = { ...DEFAULT_BLEND_LIMITS, ...limits };
    const { compression, data } = unwrapBlend(fileBytes, all.maxBytes);
    return new BlendFile(compression, data, all);
  }

  struct(type: string): SdnaStruct | undefined {
    return this.sdna.structByType.get(type);
  }

  /** The struct describing a block's data, or undefined for raw data blocks with an out-of-range index. */
  structOf(block: Block): SdnaStruct | undefined {
    return this.sdna.structs[block.sdnaIndex];
  }

  /** Instance `index` of the block's struct array, bounds-checked against the block. */
  viewOf(block: Block, struct: SdnaStruct, index = 0): StructView {
    const at = block.offset + index * struct.size;
    if (at + struct.size > block.offset + block.size) {
      throw new AnalyzeError(
        'CORRUPT',
        `.blend block "${block.code}" at byte ${block.offset} is too small for ${struct.type} #${index}`,
      );
    }
    return new StructView(this.view, struct, at);
  }

  /** Every struct instance of the given SDNA type, in file order. */
  *instancesOf(type: string): Generator<StructView> {
    const struct = this.struct(type);
    if (!struct || struct.size === 0) return;
    for (const b of this.byStruct.get(struct.index) ?? []) {
      const n = Math.min(b.count, Math.floor(b.size / struct.size));
      for (let i = 0; i < n; i++) yield this.viewOf(b, struct, i);
    }
  }

  block(address: bigint): Block | undefined {
    return address === 0n ? undefined : this.byAddress.get(address);
  }

  /** Follows a pointer to the struct it points at (typed by the block's own SDNA index). */
  deref(address: bigint | undefined): StructView | undefined {
    if (address === undefined) return undefined;
    const b = this.block(address);
    if (!b) return undefined;
    const struct = this.structOf(b);
    if (!struct || struct.size === 0 || struct.size > b.size) return undefined;
    return this.viewOf(b, struct);
  }

  /** Every struct of the array block a pointer points at (`StripElem *stripdata` → all of a strip's elements). */
  derefArray(address: bigint | undefined): StructView[] {
    const b = address === undefined ? undefined : this.block(address);
    const struct = b && this.structOf(b);
    if (!b || !struct || struct.size === 0) return [];
    const n = Math.min(b.count, Math.floor(b.size / struct.size));
    return Array.from({ length: n }, (_, i) => this.viewOf(b, struct, i));
  }

  /** A struct embedded by value in another (`Scene.r`, `ImageFormatData im_format`). */
  embedded(sv: StructView | undefined, ...names: string[]): StructView | undefined {
    return sv?.embedded(this.sdna.structByType, ...names);
  }

  /** The elements of a `ListBase` field, following `next` with cycle and length protection. */
  list(owner: StructView | undefined, ...names: string[]): StructView[] {
    const lb = this.embedded(owner, ...names);
    const out: StructView[] = [];
    const seen = new Set<bigint>();
    let p = lb?.pointer('first') ?? 0n;
    while (p !== 0n && !seen.has(p)) {
      if (out.length >= this.limits.maxListLength) {
        throw new AnalyzeError(
          'LIMIT_EXCEEDED',
          `.blend list longer than ${this.limits.maxListLength} links`,
        );
      }
      seen.add(p);
      const item = this.deref(p);
      if (!item) break;
      out.push(item);
      p = item.pointer('next') ?? 0n;
    }
    return out;
  }

  /** A `char *` field's text (a separate data block holding a NUL-terminated string). */
  cString(address: bigint | undefined): string | undefined {
    if (address === undefined) return undefined;
    const b = this.block(address);
    if (!b) return undefined;
    return this.view.fixedString(b.offset, b.size);
  }
}
