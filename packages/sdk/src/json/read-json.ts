/** Reading the job's JSON files with errors that name the file and what is wrong with it. */
import { readFile } from 'node:fs/promises';
import { RayvisionError } from '../errors.js';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Read a file that must hold a JSON object; a missing file is FILE_NOT_FOUND (1000004). */
export async function readJsonObject(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RayvisionError('FILE_NOT_FOUND', `file not found: ${path}`, { cause });
    }
    throw cause;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RayvisionError('JSON_HELPER_ERROR', `${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (!isJsonObject(value)) throw new RayvisionError('JSON_HELPER_ERROR', `${path} must hold a JSON object`);
  return value;
}
