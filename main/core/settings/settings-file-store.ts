/**
 * Settings on disk as one JSON file: reading it through the migrations, keeping a damaged file aside
 * instead of losing it, and writing atomically. Synchronous on purpose: settings are read once at
 * start, before anything else can use them, and written a few bytes at a time on a person's click.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { migrateSettings } from './settings-migrations.js';
import {
  SETTINGS_VERSION,
  SettingsPatchSchema,
  SettingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../../common/settings-schema.js';
import type { SettingsStore } from './settings-store.js';

/** Largest settings file read; real ones are well under 1 KiB, so anything this big is not ours. */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

/** Settings that could not be saved or kept; the message names the file and what to do. */
export class SettingsFileError extends Error {
  override readonly name = 'SettingsFileError';

  constructor(
    readonly code: 'settings-write-failed' | 'settings-set-aside-failed' | 'invalid-settings',
    message: string,
  ) {
    super(message);
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
}

/**
 * Reads the settings file `file` and leaves it valid and current:
 * - missing: the defaults (nothing is written);
 * - valid and current: as it is;
 * - an older version that upgrades cleanly: upgraded and written back;
 * - unreadable, not JSON, needing repair, or written by a newer app: the original is renamed aside as
 *   `<name>.corrupt-<time>.json` (never deleted, never overwritten) and the repaired or default
 *   settings are written in its place.
 *
 * Both settings stores call this first: electron-store in the app, {@link JsonFileSettingsStore} in
 * browser mode. `options.now` is the clock for the set-aside name (tests pass a fixed one).
 *
 * @throws {SettingsFileError} when a damaged file cannot be set aside or the settings cannot be
 *   written back; the file is then left exactly as it was.
 */
export function recoverSettingsFile(file: string, options: { now?: () => Date } = {}): RecoveredSettings {
  const read = readSettingsText(file);
  if (read.kind === 'missing') return migrateSettings(undefined);

  let outcome: { settings: Settings; fromVersion: number | null; repaired: string[] };
  if (read.kind === 'unreadable') {
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

  if (outcome.repaired.length > 0) {
    const setAside = setAsideFile(file, (options.now ?? (() => new Date()))());
    writeSettingsFile(file, outcome.settings);
    return { ...outcome, setAside };
  }
  if (outcome.fromVersion !== SETTINGS_VERSION) writeSettingsFile(file, outcome.settings);
  return outcome;
}

/**
 * Writes `settings` to `file` atomically: a temporary file beside it, then a rename, so a crash or a
 * full disk leaves either the old file or the new one, never half of one.
 *
 * @throws {SettingsFileError} `settings-write-failed`, naming the file and the reason.
 */
export function writeSettingsFile(file: string, settings: Settings): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { flush: true });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new SettingsFileError(
      'settings-write-failed',
      `Could not save the settings to ${file}: ${(error as Error).message}. Check that its folder exists and is writable.`,
    );
  }
}

/**
 * The settings with `patch` applied: fields replace fields, except `camera`, which is merged field by
 * field (choosing a camera keeps the requested resolution). Pure; validation is the caller's.
 */
export function applySettingsPatch(settings: Settings, patch: SettingsPatch): Settings {
  const { camera, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const cameraDefined = Object.fromEntries(Object.entries(camera ?? {}).filter(([, v]) => v !== undefined));
  return { ...settings, ...defined, camera: { ...settings.camera, ...cameraDefined } };
}

/**
 * Browser mode's settings: one JSON file, read through {@link recoverSettingsFile} when constructed and
 * written atomically on every update.
 */
export class JsonFileSettingsStore implements SettingsStore {
  private current: Settings;
  /** What loading found: a repaired or set-aside file is worth a line in the server's log. */
  readonly recovery: RecoveredSettings;

  /** @throws {SettingsFileError} as {@link recoverSettingsFile} does. */
  constructor(readonly file: string) {
    this.recovery = recoverSettingsFile(file);
    this.current = this.recovery.settings;
  }

  get(): Settings {
    // A copy: a caller editing what it got must not change the settings behind the store's back.
    return structuredClone(this.current);
  }

  /**
   * Validates `patch`, applies it and saves the result.
   *
   * @throws {SettingsFileError} `invalid-settings` for a patch the schema refuses, or
   *   `settings-write-failed`; either way the settings stay as they were.
   */
  update(patch: SettingsPatch): Settings {
    const parsed = SettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'settings'}: ${i.message}`)
        .join('; ');
      throw new SettingsFileError('invalid-settings', `Settings not changed: ${issues}.`);
    }
    // Parse again as a whole: a patch valid field by field still yields valid settings, and this keeps it so.
    const next = SettingsSchema.parse(applySettingsPatch(this.current, parsed.data));
    writeSettingsFile(this.file, next);
    this.current = next;
    return this.get();
  }
}

type SettingsText =
  { kind: 'missing' } | { kind: 'unreadable'; reason: string } | { kind: 'text'; text: string };

/** The file's text, read through one handle and no further than the size limit. */
function readSettingsText(file: string): SettingsText {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: `could not be opened (${code ?? (error as Error).message})` };
  }
  try {
    const buffer = Buffer.alloc(MAX_SETTINGS_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
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
    closeSync(fd);
  }
}

/**
 * Renames `file` to a free `<name>.corrupt-<time>[-n].json` beside it and returns that path. The time
 * has no colons, which Windows forbids in file names.
 *
 * @throws {SettingsFileError} `settings-set-aside-failed` when it cannot be renamed.
 */
function setAsideFile(file: string, now: Date): string {
  const dir = path.dirname(file);
  const base = path.basename(file, path.extname(file));
  const stamp = now.toISOString().replace(/:/g, '-');
  for (let n = 0; n < 1000; n++) {
    const candidate = path.join(dir, `${base}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}.json`);
    // rename() would replace an existing file; one process owns the settings file, so check, then rename.
    if (existsSync(candidate)) continue;
    try {
      renameSync(file, candidate);
      return candidate;
    } catch (error) {
      throw new SettingsFileError(
        'settings-set-aside-failed',
        `The settings file ${file} is damaged and could not be moved aside to ${candidate} (${(error as Error).message}). Move or delete it yourself, then start again.`,
      );
    }
  }
  throw new SettingsFileError(
    'settings-set-aside-failed',
    `The settings file ${file} is damaged and there is no free name beside it to keep it under. Move it yourself, then start again.`,
  );
}
