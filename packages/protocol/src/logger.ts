/**
 * The logging surface the SDK and the analyzers write to. `console` and pino loggers both fit,
 * so callers pass whatever their application already uses.
 */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const ignore = (): void => {};

/** The default: a library stays quiet unless its caller asks for logs. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
