/**
 * USD layers read for the asset paths they name, without a USD library:
 * text (`.usda`), the binary crate (`.usdc`: its TOKENS, STRINGS, FIELDS,
 * FIELDSETS, PATHS and SPECS sections, LZ4 and USD's integer compression
 * decoded here) and USDZ packages (zip, stored members); and, for the render
 * node, crates with their tokens rewritten and USDZ packages written anew.
 */
export { bytesSource, type ByteSource, openFileSource } from './byte-source.js';
export { readCrateDependencies } from './crate-dependencies.js';
export {
  type CrateSection,
  type CrateTables,
  type CrateToc,
  isCrate,
  readCrateTables,
  readCrateToc,
  TOC_OFFSET_AT,
} from './crate-tables.js';
export { decompressFast } from './fast-compression.js';
export { decodeCompressedInts, decodeIntegers } from './integer-coding.js';
export { decompressLz4Block } from './lz4-block.js';
export { readUsdaDependencies } from './usda-dependencies.js';
export { readUsdLayer, readUsdzDependencies } from './usd-layer.js';
export { clipTemplatePattern, isPathLikeProperty, type UsdAssetRef, type UsdRefKind } from './usd-refs.js';
export { readZipMembers, type ZipMember } from './zip-members.js';
export {
  applyCrateTokenRewrite,
  type CrateTokenChange,
  type CrateTokenRefusal,
  type CrateTokenRewrite,
  NEWEST_WRITABLE_CRATE_MINOR,
  planCrateTokenRewrite,
  rewrittenSource,
  tocOffsetBytes,
} from './crate-token-rewrite.js';
export { compressFast, compressLz4Block } from './lz4-compress.js';
export {
  joinZipPieces,
  rewriteUsdz,
  type StoredMember,
  USDZ_ALIGNMENT,
  type ZipPiece,
} from './usdz-rewrite.js';
