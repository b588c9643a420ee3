/**
 * Style Mirror's log: one line format and one rotation for the Electron app and `stylemirror serve`.
 * Both sinks are electron-log loggers (`electron-log/main` in the app, `electron-log/node` in serve:
 * the same file transport underneath); this module only configures them, so it never imports
 * Electron. A line reads `[2026-12-02 06:24:01.839+01:00] warn (engine) the engine crashed ...`.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import nodeLog from 'electron-log/node';
import type { LogFile, MainLogger, NodeLogger } from 'electron-log';

/** Local time with its offset (a gallery reads its own clock), level, scope, message. */
export const LOG_FORMAT = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}{z}] {level}{scope} {text}';
/** A log file is rotated once it passes this size. */
export const LOG_MAX_BYTES = 1024 * 1024;
/** Files kept in all, the live one included: `main.log`, then `main.1.log` (newest) to `main.4.log`. */
export const LOG_FILES = 5;

/** One part of the program's log lines (`engine`, `server`, `page`…). */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A configured log: scoped writers, and the file it writes. */
export interface Logs {
  readonly file: string;
  /**
   * Why the file cannot be written (then lines go to the terminal only), or null. Checked once, at
   * the start: a disk that fills later costs log lines, never the mirror.
   */
  readonly problem: string | null;
  scope(name: string): Log;
}

export interface LogOptions {
  /** The live log file; its folder is created. */
  readonly file: string;
  /** Default {@link LOG_MAX_BYTES}. */
  readonly maxBytes?: number;
  /** Default {@link LOG_FILES}. */
  readonly files?: number;
  /**
   * Also print warnings and errors to the terminal (stderr), in the same format; default true. Info
   * lines go to the file only: a terminal already has serve's own banner and messages.
   */
  readonly console?: boolean;
}

/** Either electron-log logger: the app's and serve's are the same class. */
export type ElectronLogger = MainLogger | NodeLogger;

/**
 * Points `logger` at `options.file` with Style Mirror's line format and rotation, and returns its
 * scoped writers. Never throws for the disk: a file that cannot be written is named in `problem`,
 * and every line then goes to the terminal instead, warnings or not.
 */
export function configureLog(logger: ElectronLogger, options: LogOptions): Logs {
  const file = path.resolve(options.file);
  const files = options.files ?? LOG_FILES;
  if (!Number.isInteger(files) || files < 1)
    throw new Error(`Log files to keep must be 1 or more, not ${files}.`);
  const problem = unwritable(file);
  const transport = logger.transports.file;
  transport.resolvePathFn = () => file;
  transport.format = LOG_FORMAT;
  transport.maxSize = options.maxBytes ?? LOG_MAX_BYTES;
  // Off when it cannot be written: electron-log would print a stack for every line.
  transport.level = problem === null ? 'info' : false;
  transport.archiveLogFn = (oldFile: LogFile) => archiveLogFile(oldFile, files);
  logger.transports.console.format = LOG_FORMAT;
  logger.transports.console.level = options.console === false ? false : problem === null ? 'warn' : 'info';
  // Unpadded, so every line's scope is exactly ` (name)`.
  logger.scope.labelPadding = false;
  return {
    file,
    problem,
    scope: (name) => {
      const scoped = logger.scope(name);
      return {
        info: (message) => scoped.info(message),
        warn: (message) => scoped.warn(message),
        error: (message) => scoped.error(message),
      };
    },
  };
}

/** Why `file` cannot be appended to (its folder made first), or null when it can. */
function unwritable(file: string): string | null {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.closeSync(fs.openSync(file, 'a'));
    return null;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return `Cannot write the log file ${file}: ${code === 'EISDIR' ? 'it is a folder' : message}.`;
  }
}

/** A log for a plain Node process (`stylemirror serve`): electron-log's Node logger, configured. */
export function openNodeLog(options: LogOptions, logger: NodeLogger = nodeLog): Logs {
  // Else electron-log looks for the nearest package.json from the working folder, and fails on
  // every line when serve is started anywhere else (the file is named here anyway).
  logger.transports.file.setAppName('style-mirror');
  return configureLog(logger, options);
}

/** electron-log's file, with the crop its own rotation falls back on (untyped in its .d.ts). */
type CroppableLogFile = LogFile & { crop(bytesToKeep: number): void };

/**
 * electron-log's rotation keeps one `.old` file; this keeps `files - 1` numbered ones, newest first,
 * dropping the oldest. Should a rename fail (a file held open on Windows), the live file is cropped to
 * its last quarter instead, as electron-log's own rotation does, so it still cannot grow without end.
 */
export function archiveLogFile(file: LogFile, files: number): void {
  const live = file.path;
  const { dir, name, ext } = path.parse(live);
  const archive = (n: number): string => path.join(dir, `${name}.${n}${ext}`);
  try {
    if (files <= 1) {
      fs.rmSync(live, { force: true });
      return;
    }
    fs.rmSync(archive(files - 1), { force: true });
    for (let n = files - 2; n >= 1; n--) {
      if (fs.existsSync(archive(n))) fs.renameSync(archive(n), archive(n + 1));
    }
    fs.renameSync(live, archive(1));
  } catch (error) {
    process.stderr.write(`Style Mirror: could not rotate the log ${live}: ${(error as Error).message}\n`);
    (file as CroppableLogFile).crop(Math.min(Math.round(file.size / 4), 256 * 1024));
  }
}
