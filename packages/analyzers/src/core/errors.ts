/**
 * The one error class of @openfarm/analyzers. Every reader turns bad input
 * (missing file, wrong format, truncated or corrupt data, limits exceeded)
 * into an AnalyzeError so callers can handle all analysis failures alike.
 */
export type AnalyzeErrorCode =
  /** The scene file does not exist or is not a file. */
  | 'CG_FILE_NOT_FOUND'
  /** An explicit workspace folder does not exist. */
  | 'WORKSPACE_NOT_FOUND'
  /** No analyzer is registered for the file's extension. */
  | 'UNSUPPORTED_FORMAT'
  /** The bytes are not the format the extension promises. */
  | 'WRONG_FORMAT'
  /** The file ends before a structure it declares. */
  | 'TRUNCATED'
  /** The file is structurally invalid (bad lengths, bad offsets, bad encoding). */
  | 'CORRUPT'
  /** The file asks for more work or memory than the analyzer allows. */
  | 'LIMIT_EXCEEDED'
  /** Reading the file or writing the job folder failed at the OS level. */
  | 'IO';

export class AnalyzeError extends Error {
  override readonly name = 'AnalyzeError';
  constructor(
    readonly code: AnalyzeErrorCode,
    message: string,
    /** The file the error is about (scene, referenced file or workspace). */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(file === undefined ? message : `${message}: ${file}`, options);
  }
}
