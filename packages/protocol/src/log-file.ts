/**
 * Log files like the reference's `rayvision_log`: `logFolder`, `logName` and
 * `logLevel` options, the reference's folder rules, rotation by size (7
 * backups, as its rotating handler), and no secret ever written: every
 * message passes through a redaction of the client's access key first.
 *
 * Where the file goes (reference §7):
 * - with `logFolder`: `<logFolder>/<app>/<logName or <host>.log>`;
 * - else `<$RAYVISION_LOG_ROOT or the platform's user log folder>/<os user>/<logName or <host>.log>`,
 *   the user log folder as appdirs' `user_log_dir(app, "RayVision")`: `~/.cache/<app>/log` (Linux,
 *   `$XDG_CACHE_HOME` when set), `~/Library/Logs/<app>` (macOS), `%LOCALAPPDATA%\RayVision\<app>\Logs` (Windows).
 * The path logic takes a path flavour (posix or win32) so Windows paths are tested on any machine.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from './logger.js';

export interface LogFileOptions {
  /** Folder of the log files; see the module comment for the default. */
  logFolder?: string;
  /** File name; default `<host name>.log`. */
  logName?: string;
  /** DEBUG, INFO, WARNING (or WARN) or ERROR, any case; default DEBUG, as the reference. */
  logLevel?: string;
}

const LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 } as const;
type Level = keyof typeof LEVELS;

export function parseLogLevel(text: string | undefined): Level {
  const up = (text ?? 'DEBUG').trim().toUpperCase();
  const level = up === 'WARN' ? 'WARNING' : up;
  if (!(level in LEVELS))
    throw new TypeError(`logLevel must be DEBUG, INFO, WARNING or ERROR, got "${text}"`);
  return level as Level;
}

export interface LogPathContext {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  home: string;
  user: string;
  host: string;
}

function defaultContext(): LogPathContext {
  let user = 'user';
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'user';
  }
  return { env: process.env, platform: process.platform, home: os.homedir(), user, host: os.hostname() };
}

/** appdirs' user_log_dir(app, "RayVision") for `platform`. */
export function userLogDir(app: string, ctx: LogPathContext): string {
  if (ctx.platform === 'win32') {
    const local =
      ctx.env.LOCALAPPDATA ?? path.win32.join(ctx.env.USERPROFILE ?? ctx.home, 'AppData', 'Local');
    return path.win32.join(local, 'RayVision', app, 'Logs');
  }
  if (ctx.platform === 'darwin') return path.posix.join(ctx.home, 'Library', 'Logs', app);
  return path.posix.join(ctx.env.XDG_CACHE_HOME ?? path.posix.join(ctx.home, '.cache'), app, 'log');
}

/** Where the log file of `app` goes under the reference's rules. */
export function logFilePath(
  app: string,
  options: LogFileOptions,
  ctx: LogPathContext = defaultContext(),
): string {
  const p = ctx.platform === 'win32' ? path.win32 : path.posix;
  const name = options.logName ?? `${ctx.host}.log`;
  if (options.logFolder !== undefined) return p.join(options.logFolder, app, name);
  const root = ctx.env.RAYVISION_LOG_ROOT ?? userLogDir(app, ctx);
  return p.join(root, ctx.user, name);
}

export interface RotatingFileOptions {
  /** Rotate when the file would pass this size (default 10 MiB). */
  maxBytes?: number;
  /** Rotated files kept: `<file>.1` (newest) … `<file>.<backups>` (default 7, as the reference). */
  backups?: number;
  /** Strings never written (access keys): replaced by `***`. */
  secrets?: readonly string[];
}

function format(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A logger appending `time LEVEL message` lines to one file, rotated by size. */
export class RotatingFileLogger implements Logger {
  private readonly minimum: number;
  private readonly maxBytes: number;
  private readonly backups: number;
  private readonly secrets: string[];
  private size: number;

  constructor(
    readonly file: string,
    level: string | undefined,
    options: RotatingFileOptions = {},
  ) {
    this.minimum = LEVELS[parseLogLevel(level)];
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.backups = options.backups ?? 7;
    // Longest first, so a secret containing another is hidden whole; too-short strings would blank ordinary words.
    this.secrets = [...new Set(options.secrets ?? [])]
      .filter((s) => s.length >= 4)
      .sort((a, b) => b.length - a.length);
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      this.size = statSync(file).size;
    } catch {
      this.size = 0;
    }
  }

  debug = (message: string, ...args: unknown[]): void => this.write('DEBUG', message, args);
  info = (message: string, ...args: unknown[]): void => this.write('INFO', message, args);
  warn = (message: string, ...args: unknown[]): void => this.write('WARNING', message, args);
  error = (message: string, ...args: unknown[]): void => this.write('ERROR', message, args);

  private redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  private write(level: Level, message: string, args: unknown[]): void {
    if (LEVELS[level] < this.minimum) return;
    const text = [message, ...args].map(format).join(' ');
    const line = Buffer.from(`${new Date().toISOString()} ${level} ${this.redact(text)}\n`);
    if (this.size > 0 && this.size + line.length > this.maxBytes) this.rotate();
    appendFileSync(this.file, line);
    this.size += line.length;
  }

  private rotate(): void {
    rmSync(`${this.file}.${this.backups}`, { force: true });
    for (let i = this.backups - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        // that backup does not exist yet
      }
    }
    if (this.backups > 0) renameSync(this.file, `${this.file}.1`);
    else rmSync(this.file, { force: true });
    this.size = 0;
  }
}

/** Every message to both loggers. */
export function teeLogger(a: Logger, b: Logger): Logger {
  const both =
    (level: keyof Logger) =>
    (message: string, ...args: unknown[]): void => {
      a[level](message, ...args);
      b[level](message, ...args);
    };
  return { debug: both('debug'), info: both('info'), warn: both('warn'), error: both('error') };
}

/**
 * `base`, plus a log file when any of `logFolder`, `logName`, `logLevel` is given
 * (a library writes no file unasked; the reference always did).
 */
export function withLogFile(
  base: Logger,
  app: string,
  options: LogFileOptions & RotatingFileOptions,
  ctx?: LogPathContext,
): Logger {
  if (options.logFolder === undefined && options.logName === undefined && options.logLevel === undefined)
    return base;
  return teeLogger(base, new RotatingFileLogger(logFilePath(app, options, ctx), options.logLevel, options));
}
