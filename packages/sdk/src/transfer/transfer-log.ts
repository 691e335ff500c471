/**
 * The transfer log: one JSON line per finished upload or download (totals and
 * every failure) in `<transfer log dir>/openfarm-transfer.log`, the directory
 * chosen by `transfer_log_path` → `RAYVISION_LOG` → the SDK home.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadReport, UploadReport } from './transfer-report.js';

export const TRANSFER_LOG_FILE = 'openfarm-transfer.log';

export async function appendTransferLog(
  dir: string,
  kind: 'upload' | 'download',
  report: UploadReport | DownloadReport,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await appendFile(
    join(dir, TRANSFER_LOG_FILE),
    `${JSON.stringify({ at: new Date().toISOString(), kind, ...report })}\n`,
  );
}
