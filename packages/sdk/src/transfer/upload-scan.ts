/**
 * What an upload starts from: the files named (folders expanded), each with
 * the size and mtime it had when it was scanned — against which a failure is
 * later explained.
 */
import { readdirSync, type Stats, statSync } from 'node:fs';
import { hostPaths, type LocalPaths } from './local-paths.js';
import { reasonOf, type TransferFailure } from './transfer-report.js';

export interface UploadItem {
  localPath: string;
  /** Absolute server path. */
  serverPath: string;
}

/** One file on its way: what the scan saw, then its hash, then its bytes in hand and what is left to send. */
export interface FileState extends UploadItem {
  size: number;
  mtimeMs: number;
  sha256?: string;
  /** A small file's bytes, read once for hashing and kept until they are sent. */
  bytes?: Buffer | undefined;
  /** Unchanged and already uploaded to the same place. */
  unchanged?: boolean;
  /** Bytes of its blob not yet on the wire, while it is scheduled to be sent. */
  unsent?: number;
}

/**
 * A file `name` found in the folder `parent` names: joined with the local
 * path's rules (backslashes under a Windows drive or share), and with `/` on
 * the server side whatever the workstation.
 */
export function childItem(parent: UploadItem, name: string, paths: LocalPaths = hostPaths): UploadItem {
  return {
    localPath: paths.join(parent.localPath, name),
    serverPath: `${parent.serverPath.replace(/\/+$/, '')}/${name}`,
  };
}

/**
 * Stat every file, folders expanded; what cannot be read goes to `failures`.
 * Synchronous on purpose: on trees of thousands of small files the promise
 * machinery of fs/promises costs three times the stat calls themselves
 * (10,000 files: ~80 ms blocking vs ~270 ms).
 */
export function scanFiles(
  items: readonly UploadItem[],
  failures: TransferFailure[],
  paths: LocalPaths,
): FileState[] {
  const out: FileState[] = [];
  const walk = (localPath: string, serverPath: string): void => {
    let s: Stats;
    try {
      s = statSync(localPath);
    } catch (e) {
      failures.push({ localPath, serverPath, reason: `cannot read: ${reasonOf(e)}` });
      return;
    }
    if (s.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(localPath).sort();
      } catch (e) {
        failures.push({ localPath, serverPath, reason: `cannot list: ${reasonOf(e)}` });
        return;
      }
      for (const name of names) {
        const child = childItem({ localPath, serverPath }, name, paths);
        walk(child.localPath, child.serverPath);
      }
    } else if (s.isFile()) {
      out.push({ localPath, serverPath, size: s.size, mtimeMs: s.mtimeMs });
    } else {
      failures.push({ localPath, serverPath, reason: 'not a regular file' });
    }
  };
  for (const i of items) walk(i.localPath, i.serverPath);
  // Two files for one server path: the farm could keep only one of them, so neither is guessed.
  const byServer = new Map<string, FileState>();
  for (const f of out) {
    const other = byServer.get(f.serverPath);
    if (other === undefined) byServer.set(f.serverPath, f);
    else if (other.localPath !== f.localPath) {
      failures.push({
        localPath: f.localPath,
        serverPath: f.serverPath,
        reason: `same server path as ${other.localPath}`,
      });
    }
  }
  return [...byServer.values()];
}

/**
 * Why a file's blob failed, saying so when the file was written to since it was scanned: the
 * farm's refusal of bytes that no longer match the hash would otherwise read like corruption.
 */
export function failureReason(f: FileState, error: unknown): string {
  const reason = reasonOf(error);
  let now: Stats | undefined;
  try {
    now = statSync(f.localPath);
  } catch {
    return `the file went away while it was uploaded (${reason})`;
  }
  return now.size !== f.size || now.mtimeMs !== f.mtimeMs
    ? `the file changed while it was uploaded; upload it again (${reason})`
    : reason;
}
