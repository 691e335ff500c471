import { AnalyzeError } from '../core/errors.js';
import { type ByteSource, LeReader, windowSource } from './byte-source.js';

/** One member of a zip archive as its central directory lists it. */
export interface ZipMember {
  readonly name: string;
  /** 0 = stored. USDZ requires stored members (so they can be read in place). */
  readonly method: number;
  readonly size: number;
  /** CRC-32 and MS-DOS modification time and date, as the directory records them. */
  readonly crc: number;
  readonly time: number;
  readonly date: number;
  /** The member's bytes and where they start in the archive (stored members only). */
  readonly source: ByteSource | undefined;
  readonly dataStart: number | undefined;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** End-of-central-directory record plus the longest comment. */
const EOCD_SEARCH = 22 + 0xffff;
const MAX_MEMBERS = 100_000;

/**
 * The members of a zip file (USDZ packages are zips whose members are
 * stored, not deflated, and 64-byte aligned). Reads the central directory
 * from the end-of-central-directory record and each member's local header
 * for its data offset. Zip64 archives (over 4 GiB or 65 535 members) are
 * refused by name.
 */
export function readZipMembers(source: ByteSource): ZipMember[] {
  const name = source.name;
  const tailSize = Math.min(source.size, EOCD_SEARCH);
  if (tailSize < 22) throw new AnalyzeError('TRUNCATED', 'zip shorter than its directory record', name);
  const tail = source.read(source.size - tailSize, tailSize);
  const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw new AnalyzeError('WRONG_FORMAT', 'not a zip archive (no end of central directory)', name);
  const end = new LeReader(tail.subarray(eocd), name);
  end.skip(10);
  const count = end.u16();
  const dirSize = end.u32();
  const dirOffset = end.u32();
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    throw new AnalyzeError('WRONG_FORMAT', 'zip64 archives are not read', name);
  }
  if (count > MAX_MEMBERS) throw new AnalyzeError('LIMIT_EXCEEDED', `${count} zip members`, name);
  const dir = new LeReader(source.read(dirOffset, dirSize), name);
  const members: ZipMember[] = [];
  const windows: { start: number; end: number; member: string }[] = [];
  const decoder = new TextDecoder('utf-8');
  for (let i = 0; i < count; i++) {
    if (dir.u32() !== CENTRAL_SIGNATURE) throw new AnalyzeError('CORRUPT', `zip directory entry ${i}`, name);
    dir.skip(6);
    const method = dir.u16();
    const time = dir.u16();
    const date = dir.u16();
    const crc = dir.u32();
    const compressedSize = dir.u32();
    const size = dir.u32();
    const nameLength = dir.u16();
    const extraLength = dir.u16();
    const commentLength = dir.u16();
    dir.skip(8);
    const localOffset = dir.u32();
    const memberName = decoder.decode(dir.take(nameLength));
    dir.skip(extraLength + commentLength);
    let member: ByteSource | undefined;
    let dataStart: number | undefined;
    if (method === 0) {
      const local = new LeReader(source.read(localOffset, 30), name);
      if (local.u32() !== LOCAL_SIGNATURE)
        throw new AnalyzeError('CORRUPT', `zip member ${memberName} header`, name);
      local.pos = 26;
      dataStart = localOffset + 30 + local.u16() + local.u16();
      if (compressedSize !== size)
        throw new AnalyzeError('CORRUPT', `stored zip member ${memberName} sizes differ`, name);
      member = windowSource(source, dataStart, size, `${name ?? ''}[${memberName}]`);
      if (size > 0) windows.push({ start: localOffset, end: dataStart + size, member: memberName });
    }
    members.push({ name: memberName, method, size, crc, time, date, source: member, dataStart });
  }
  refuseOverlaps(windows, name);
  return members;
}

/**
 * A zip writer never lays two members over the same bytes; a directory that
 * lists one large member thousands of times would make every layer in it be
 * read thousands of times (work growing with the square of the file's size).
 */
function refuseOverlaps(
  windows: { start: number; end: number; member: string }[],
  name: string | undefined,
): void {
  windows.sort((a, b) => a.start - b.start);
  for (let i = 1; i < windows.length; i++) {
    if (windows[i]!.start < windows[i - 1]!.end) {
      throw new AnalyzeError(
        'CORRUPT',
        `zip members ${windows[i - 1]!.member} and ${windows[i]!.member} overlap`,
        name,
      );
    }
  }
}
