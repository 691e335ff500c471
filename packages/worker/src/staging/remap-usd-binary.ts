/**
 * Absolute paths inside the staged copies of binary USD layers: crates
 * (`.usdc`, `.usd` starting with `PXR-USDC`) and USDZ packages. A crate keeps
 * every text (asset paths, strings) once in its TOKENS section, so the
 * analyzers' crate writer appends a new token table with the mapped paths
 * and points the table of contents at it, after reading the result back with
 * the crate reader (`planCrateTokenRewrite`); the node copies the staged file,
 * appends those bytes, updates the 8-byte header offset and renames the copy
 * over the hard link, so the cached blob keeps the farm's bytes. A USDZ is
 * written anew as a stored zip with 64-byte aligned members (`rewriteUsdz`):
 * its crate members rewritten the same way, its text layers like any text
 * layer, every other member copied byte for byte.
 *
 * What cannot be written is left as it is and said in the frame log: a
 * crate version whose token layout is not known, a token that is not UTF-8
 * or a path whose mapped form the value cannot hold, a damaged file.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, type FileHandle, open, rename, rm } from 'node:fs/promises';
import {
  AnalyzeError,
  applyCrateTokenRewrite,
  bytesSource,
  type CrateTokenRefusal,
  isCrate,
  openFileSource,
  planCrateTokenRewrite,
  rewriteUsdz,
  TOC_OFFSET_AT,
  tocOffsetBytes,
  type ZipPiece,
} from '@openfarm/analyzers';

/** Maps one token (a crate's text) to the staged tree, or `undefined` to keep it. */
export type TokenMapper = (token: string) => string | undefined;

export interface BinaryRemapContext {
  readonly mapToken: TokenMapper;
  /** Rewrites a whole USD text layer (latin1, byte for byte) for a USDZ's `.usda` members. */
  readonly remapText: (text: string) => string;
  /** One line for the frame log. */
  readonly log: (line: string) => void;
  /** How the file is named in the log (its server path). */
  readonly label: string;
}

function refusalLine(label: string, r: CrateTokenRefusal): string {
  return `[openfarm] ${label}: absolute path "${r.token}" left as written: ${r.reason}`;
}

/** Write all of `bytes` at `position` (a positioned write may write fewer bytes than asked). */
async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

function tmpBeside(path: string): string {
  return `${path}.openfarm-remap-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Rewrite a staged crate in place (by rename) when it names absolute paths
 * the maps cover. Returns whether it was rewritten.
 */
export async function remapStagedCrate(path: string, ctx: BinaryRemapContext): Promise<boolean> {
  const source = openFileSource(path);
  let plan: ReturnType<typeof planCrateTokenRewrite>;
  try {
    plan = planCrateTokenRewrite(source, ctx.mapToken, (r) => ctx.log(refusalLine(ctx.label, r)));
  } catch (err) {
    if (!(err instanceof AnalyzeError)) throw err;
    ctx.log(`[openfarm] ${ctx.label}: absolute paths inside left as written: ${err.code}: ${err.message}`);
    return false;
  } finally {
    source.close();
  }
  if (plan === undefined) return false;
  const tmp = tmpBeside(path);
  try {
    // A clone where the file system has them (the copy shares the cached bytes until written).
    await copyFile(path, tmp, constants.COPYFILE_FICLONE);
    // The copy takes the cached file's read-only mode; the rewritten file is the lease's own.
    await chmod(tmp, 0o644);
    const fh = await open(tmp, 'r+');
    try {
      await writeAll(fh, plan.tail, plan.appendAt);
      await writeAll(fh, tocOffsetBytes(plan.tocOffset), TOC_OFFSET_AT);
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    return true;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

const LAYER = /\.usd[ac]?$/i;
const COPY_CHUNK = 1 << 20;

/**
 * Rewrite a staged USDZ (as a new package, renamed over the hard link) when
 * one of its layers names absolute paths the maps cover. A layer that cannot
 * be rewritten is kept as it is (and logged); the others still are.
 */
export async function remapStagedUsdz(path: string, ctx: BinaryRemapContext): Promise<boolean> {
  const source = openFileSource(path);
  try {
    let pieces: ZipPiece[] | undefined;
    try {
      pieces = rewriteUsdz(source, (member) => {
        if (!LAYER.test(member.name)) return undefined;
        const label = `${ctx.label}[${member.name}]`;
        try {
          const bytes = member.source.read(0, member.size);
          if (isCrate(bytes)) {
            const plan = planCrateTokenRewrite(bytesSource(bytes, label), ctx.mapToken, (r) =>
              ctx.log(refusalLine(label, r)),
            );
            return plan === undefined ? undefined : applyCrateTokenRewrite(bytes, plan);
          }
          if (Buffer.from(bytes.subarray(0, 6)).toString('latin1') !== '#usda ') return undefined;
          const text = Buffer.from(bytes).toString('latin1');
          const mapped = ctx.remapText(text);
          return mapped === text ? undefined : Buffer.from(mapped, 'latin1');
        } catch (err) {
          if (!(err instanceof AnalyzeError)) throw err;
          ctx.log(`[openfarm] ${label}: absolute paths inside left as written: ${err.code}: ${err.message}`);
          return undefined;
        }
      });
    } catch (err) {
      if (!(err instanceof AnalyzeError)) throw err;
      ctx.log(`[openfarm] ${ctx.label}: absolute paths inside left as written: ${err.code}: ${err.message}`);
      return false;
    }
    if (pieces === undefined) return false;
    const tmp = tmpBeside(path);
    try {
      const fh = await open(tmp, 'w', 0o644);
      try {
        let written = 0;
        for (const piece of pieces) {
          if (piece instanceof Uint8Array) {
            await writeAll(fh, piece, written);
            written += piece.length;
            continue;
          }
          // Unchanged members (textures) are copied in pieces: a large package costs no memory.
          for (let at = 0; at < piece.size; at += COPY_CHUNK) {
            const chunk = source.read(piece.start + at, Math.min(COPY_CHUNK, piece.size - at));
            await writeAll(fh, chunk, written);
            written += chunk.length;
          }
        }
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
      return true;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  } finally {
    source.close();
  }
}
