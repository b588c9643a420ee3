/**
 * Settings on disk as one JSON file, for the app (`<userData>/settings.json`) and browser mode alike:
 * read through the migrations, a damaged file kept aside instead of lost, and every write durable
 * before it replaces anything. Synchronous on purpose: settings are read once at start, before
 * anything else can use them, and written a few bytes at a time on a person's click.
 *
 * Settings are never lost: the old file stays until the new one is on the disk (a temporary file in
 * the same folder, flushed, then renamed over it); a full disk or a read-only folder keeps the
 * settings as they were and says so, and a start in a folder that cannot be written still starts,
 * with what could be read and a warning for the person.
 */
import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { migrateSettings } from './settings-migrations.js';
import { applySettingsPatch } from '../../../common/settings-patch.js';
import {
  SETTINGS_VERSION,
  SettingsSchema,
  SettingsUpdateSchema,
  type Settings,
  type SettingsUpdate,
} from '../../../common/settings-schema.js';
import type { SettingsStore } from './settings-store.js';

/** Largest settings file read; real ones are well under 1 KiB, so anything this big is not ours. */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

/** The file system calls settings use: node:fs, or a stand-in that fails on cue in tests (ENOSPC, EROFS). */
export type SettingsFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'readSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'linkSync'
  | 'rmSync'
  | 'mkdirSync'
  | 'existsSync'
  | 'accessSync'
>;

export interface SettingsFileOptions {
  /** The clock, for the set-aside file's name; tests pass a fixed one. */
  readonly now?: () => Date;
  /** Default node:fs. */
  readonly fs?: SettingsFs;
}

/** Settings that could not be saved or kept; the message names the file and what to do. */
export class SettingsFileError extends Error {
  override readonly name = 'SettingsFileError';

  constructor(
    readonly code: 'settings-write-failed' | 'invalid-settings',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What {@link recoverSettingsFile} found and did. */
export interface RecoveredSettings {
  readonly settings: Settings;
  /** Where the original file now lies, when it was damaged or newer than this app and was kept aside. */
  readonly setAside?: string;
  /** The version the file was read as (0: unversioned); null when there was no usable settings object. */
  readonly fromVersion: number | null;
  /** What was reset or dropped, one line each (see `migrateSettings`), or why the whole file was. */
  readonly repaired: string[];
  /**
   * What the person should be told, one sentence each: settings that were reset, a file kept aside,
   * a folder where changes cannot be saved. Empty when all is well.
   */
  readonly warnings: string[];
}

/**
 * Reads the settings file `file` and, where it can, leaves it valid and current:
 * - missing: the defaults (nothing is written);
 * - valid and current: as it is;
 * - an older version that upgrades cleanly: upgraded and written back;
 * - unreadable, not JSON, needing repair, or written by a newer app: the repaired or default settings
 *   are written durably first, then the original is kept aside as `<name>.corrupt-<time>.json`
 *   (never deleted, never overwritten) as the new file takes its place.
 *
 * Never throws: when the folder cannot be written (read-only, full), the file is left exactly as it
 * was, and the settings that could be read come back with a warning saying changes will not be kept.
 */
export function recoverSettingsFile(file: string, options: SettingsFileOptions = {}): RecoveredSettings {
  const fs = options.fs ?? nodeFs;
  const read = readSettingsText(file, fs);
  let outcome: { settings: Settings; fromVersion: number | null; repaired: string[] };
  if (read.kind === 'missing') {
    outcome = migrateSettings(undefined);
  } else if (read.kind === 'unreadable') {
    outcome = { ...migrateSettings(undefined), repaired: [`settings: ${read.reason}; using the defaults`] };
  } else {
    try {
      // Editors on Windows like to start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
      outcome = migrateSettings(JSON.parse(read.text.replace(/^\uFEFF/, '')) as unknown);
    } catch (error) {
      outcome = {
        ...migrateSettings(undefined),
        repaired: [`settings: not valid JSON (${(error as Error).message}); using the defaults`],
      };
    }
  }

  const damaged = outcome.repaired.length > 0;
  const warnings: string[] = [];
  if (damaged) {
    warnings.push(
      `Some settings in ${file} could not be used and were reset: ${outcome.repaired.join('; ')}.`,
    );
  }
  if (read.kind !== 'missing' && (damaged || outcome.fromVersion !== SETTINGS_VERSION)) {
    const aside = damaged ? setAsideName(file, (options.now ?? (() => new Date()))(), fs) : undefined;
    try {
      writeSettingsFile(file, outcome.settings, { ...options, keepOldAs: aside });
      if (aside !== undefined) warnings.push(`The original settings file is kept as ${aside}.`);
      return { ...outcome, ...(aside === undefined ? {} : { setAside: aside }), warnings };
    } catch (error) {
      warnings.push(cannotSaveWarning(file, error, 'the settings file is left as it was'));
      return { ...outcome, warnings };
    }
  }
  const unwritable = folderNotWritable(path.dirname(file), fs);
  if (unwritable !== null) warnings.push(cannotSaveWarning(file, unwritable));
  return { ...outcome, warnings };
}

/**
 * Writes `settings` to `file` so that the disk holds the old file or the new one, whole, whatever
 * happens: the new text goes to a temporary file beside it and is flushed to the disk, and only then
 * renamed over the old one (and the folder flushed, so the rename lasts too). With `keepOldAs`, the
 * old file is kept under that name, from the same moment the new one takes its place.
 *
 * @throws {SettingsFileError} `settings-write-failed`, naming the file and the reason; the old file
 *   (and everything else in the folder) is then as it was.
 */
export function writeSettingsFile(
  file: string,
  settings: Settings,
  options: SettingsFileOptions & { keepOldAs?: string | undefined } = {},
): void {
  const fs = options.fs ?? nodeFs;
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let keptOld: 'linked' | 'moved' | null = null;
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeDurably(temp, `${JSON.stringify(settings, null, 2)}\n`, fs);
    if (options.keepOldAs !== undefined) keptOld = keepOldFile(file, options.keepOldAs, fs);
    fs.renameSync(temp, file);
  } catch (error) {
    quietly(() => fs.rmSync(temp, { force: true }));
    // Undo keeping the old file aside: it stays where it was, under its own name.
    const oldFile =
      keptOld === 'linked'
        ? quietly(() => fs.rmSync(options.keepOldAs!, { force: true }), file, file)
        : keptOld === 'moved'
          ? quietly(() => fs.renameSync(options.keepOldAs!, file), file, options.keepOldAs!)
          : file;
    throw new SettingsFileError(
      'settings-write-failed',
      `Could not save the settings to ${file}: ${(error as Error).message}. The settings saved before are ` +
        `kept${oldFile === file ? '' : ` (in ${oldFile})`}; free some disk space or make the folder writable.`,
      { cause: error },
    );
  }
  flushFolder(dir, fs);
}

/**
 * A settings file for either adapter: read through {@link recoverSettingsFile} when constructed, and
 * written durably on every update. An update that cannot be saved changes nothing, here or on disk.
 */
export class JsonFileSettingsStore implements SettingsStore {
  private current: Settings;
  /** What loading found: a repaired or set-aside file is worth a line in the log. */
  readonly recovery: RecoveredSettings;

  constructor(
    readonly file: string,
    private readonly options: SettingsFileOptions = {},
  ) {
    this.recovery = recoverSettingsFile(file, options);
    this.current = this.recovery.settings;
  }

  get warnings(): readonly string[] {
    return this.recovery.warnings;
  }

  get(): Settings {
    // A copy: a caller editing what it got must not change the settings behind the store's back.
    return structuredClone(this.current);
  }

  /**
   * Validates `patch`, applies it and saves the result.
   *
   * @throws {SettingsFileError} `invalid-settings` for a patch the schema refuses, or
   *   `settings-write-failed`; either way the settings stay as they were, in memory and on disk.
   */
  update(patch: SettingsUpdate): Settings {
    const parsed = SettingsUpdateSchema.safeParse(patch);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'settings'}: ${i.message}`)
        .join('; ');
      throw new SettingsFileError('invalid-settings', `Settings not changed: ${issues}.`);
    }
    // Parse again as a whole: a patch valid field by field still yields valid settings, and this keeps it so.
    const next = SettingsSchema.parse(applySettingsPatch(this.current, parsed.data));
    writeSettingsFile(this.file, next, this.options);
    this.current = next;
    return this.get();
  }
}

type SettingsText =
  { kind: 'missing' } | { kind: 'unreadable'; reason: string } | { kind: 'text'; text: string };

/** The file's text, read through one handle and no further than the size limit. */
function readSettingsText(file: string, fs: SettingsFs): SettingsText {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: `could not be opened (${code ?? (error as Error).message})` };
  }
  try {
    const buffer = Buffer.alloc(MAX_SETTINGS_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const bytesRead = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0 || (length += bytesRead) >= buffer.length) break;
    }
    if (length > MAX_SETTINGS_FILE_BYTES) {
      return { kind: 'unreadable', reason: `larger than ${MAX_SETTINGS_FILE_BYTES} bytes` };
    }
    return { kind: 'text', text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    // A folder opens on POSIX and fails here with EISDIR.
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: 'unreadable', reason: `could not be read (${code ?? (error as Error).message})` };
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `text` to a new file `file` and flushes it to the disk before returning. */
function writeDurably(file: string, text: string, fs: SettingsFs): void {
  const fd = fs.openSync(file, 'wx');
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let written = 0; written < bytes.length;) {
      written += fs.writeSync(fd, bytes, written, bytes.length - written);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Gives the old file a second name, `aside`, before the new one is renamed over it: a hard link, so
 * that no moment passes without a settings file; where links cannot be made (a folder in the file's
 * place, FAT volumes), a rename.
 */
function keepOldFile(file: string, aside: string, fs: SettingsFs): 'linked' | 'moved' {
  try {
    fs.linkSync(file, aside);
    return 'linked';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error;
    fs.renameSync(file, aside);
    return 'moved';
  }
}

/** Runs `undo`, answering `ok` when it worked and `failed` when it threw. */
function quietly<T = undefined>(undo: () => void, ok?: T, failed?: T): T | undefined {
  try {
    undo();
    return ok;
  } catch {
    return failed;
  }
}

/** Flushes a folder's entries (the rename) to the disk; POSIX only, and best effort. */
function flushFolder(dir: string, fs: SettingsFs): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; its renames are durable by themselves.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A free `<name>.corrupt-<time>[-n].json` beside `file`. The time has no colons, which Windows forbids
 * in file names. Keeping the file under it fails cleanly (EEXIST) should the name be taken meanwhile.
 */
function setAsideName(file: string, now: Date, fs: SettingsFs): string {
  const dir = path.dirname(file);
  const base = path.basename(file, path.extname(file));
  const stamp = now.toISOString().replace(/:/g, '-');
  for (let n = 0; ; n++) {
    const candidate = path.join(dir, `${base}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}.json`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}

/** Why nothing can be saved in `dir` (or the nearest folder above it that exists), or null when it can. */
function folderNotWritable(dir: string, fs: SettingsFs): Error | null {
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, nodeFs.constants.W_OK);
    return null;
  } catch (error) {
    return error as Error;
  }
}

function cannotSaveWarning(file: string, error: unknown, also?: string): string {
  const reason = error instanceof SettingsFileError ? (error.cause as Error | undefined) : (error as Error);
  return (
    `Style Mirror cannot save its settings in ${path.dirname(file)} (${reason?.message ?? String(error)})` +
    `${also === undefined ? '' : `; ${also}`}. It started with the settings it could read; changes will ` +
    'not be kept until there is space on the disk and the folder is writable.'
  );
}
