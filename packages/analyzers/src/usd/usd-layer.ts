import { constants } from 'node:buffer';
import { posix } from 'node:path';
import { AnalyzeError } from '../core/errors.js';
import type { ByteSource } from './byte-source.js';
import { readCrateDependencies } from './crate-dependencies.js';
import { isCrate } from './crate-tables.js';
import { readUsdaDependencies } from './usda-dependencies.js';
import type { UsdAssetRef } from './usd-refs.js';
import { readZipMembers } from './zip-members.js';

/** Text layers larger than this are refused (they are read whole, into one string). */
export const MAX_USDA_BYTES = Math.min(512 * 1024 * 1024, constants.MAX_STRING_LENGTH);

/**
 * The asset paths of one USD layer of any encoding: crate (`PXR-USDC`),
 * text (`#usda`) or a USDZ package; `.usd` may be either of the first two,
 * so the first bytes decide.
 */
export function readUsdLayer(source: ByteSource): UsdAssetRef[] {
  const head = source.read(0, Math.min(8, source.size));
  if (isCrate(head)) return readCrateDependencies(source);
  if (head[0] === 0x50 && head[1] === 0x4b) return readUsdzDependencies(source);
  if (source.size > MAX_USDA_BYTES) {
    throw new AnalyzeError('LIMIT_EXCEEDED', `text layer of ${source.size} bytes`, source.name);
  }
  const text = new TextDecoder('utf-8').decode(source.read(0, source.size));
  return readUsdaDependencies(text, source.name);
}

/**
 * A USDZ package: every layer member is read; a path that names another
 * member of the package is satisfied by the package itself, every other one
 * is returned relative to the package's folder (`../tex.png` from a layer at
 * the package root is beside the package) or as written when absolute.
 */
export function readUsdzDependencies(source: ByteSource): UsdAssetRef[] {
  const members = readZipMembers(source);
  const names = new Set(members.map((m) => m.name));
  const refs: UsdAssetRef[] = [];
  for (const member of members) {
    if (!/\.usd[ac]?$/i.test(member.name)) continue;
    if (member.source === undefined) {
      throw new AnalyzeError(
        'CORRUPT',
        `USDZ layer ${member.name} is compressed (USDZ members must be stored)`,
        source.name,
      );
    }
    const memberDir = posix.dirname(member.name);
    for (const ref of readUsdLayer(member.source)) {
      const inner = /^[A-Za-z]:|^[\\/]/.test(ref.path)
        ? undefined
        : posix.normalize(posix.join(memberDir, ref.path.replace(/\\/g, '/')));
      if (inner !== undefined && names.has(inner)) continue;
      // `pkg.usdz[member]` paths name a member of another package: the package file is the dependency.
      const path = inner ?? ref.path;
      refs.push({ ...ref, path: path.replace(/\[[^\]]*\]$/, ''), owner: `[${member.name}] ${ref.owner}` });
    }
  }
  return refs;
}
