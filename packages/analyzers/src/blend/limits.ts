/**
 * Upper bounds the .blend reader enforces so that a hostile or damaged file
 * costs bounded memory and time. Real files stay far below every one of them:
 * the largest production .blend files are a few GiB uncompressed, hold a few
 * million blocks and a few thousand SDNA structs.
 */
export interface BlendLimits {
  /** Largest decompressed file the reader will hold in memory. */
  maxBytes: number;
  /** Most file blocks (BHeads) the reader will index. */
  maxBlocks: number;
  /** Most ListBase links followed before a list counts as corrupt. */
  maxListLength: number;
}

export const DEFAULT_BLEND_LIMITS: Readonly<BlendLimits> = {
  maxBytes: 1024 * 1024 * 1024,
  maxBlocks: 4_000_000,
  maxListLength: 1_000_000,
};

/** SDNA tables are small (≈ 1 000 structs, 10 000 names in 5.x); these caps only stop garbage counts early. */
export const MAX_SDNA_NAMES = 200_000;
export const MAX_SDNA_TYPES = 100_000;
export const MAX_STRUCT_FIELDS = 10_000;
