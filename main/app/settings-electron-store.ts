import path from 'node:path';
import Store from 'electron-store';
import { z } from 'zod';
import {
  applySettingsPatch,
  recoverSettingsFile,
  SettingsFileError,
  type RecoveredSettings,
} from '../core/settings/settings-file-store.js';
import {
  SettingsPatchSchema,
  SettingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../common/settings-schema.js';
import type { SettingsStore } from '../core/settings/settings-store.js';

/** The settings file's name in the user-data folder (electron-store adds `.json`). */
const STORE_NAME = 'settings';

/**
 * The app's settings, kept by electron-store in `<userData>/settings.json`.
 *
 * The file goes through `recoverSettingsFile` before electron-store opens it: migrations run, and a
 * damaged file is moved aside (never lost) with valid settings written in its place. electron-store
 * therefore only ever reads a valid file; with `clearInvalidConfig: false` it would throw on a bad
 * one, and with `true` it would silently erase it.
 */
export class ElectronSettingsStore implements SettingsStore {
  /** What loading found: a repaired or set-aside file is worth a line in the log. */
  readonly recovery: RecoveredSettings;
  /** The file, for messages. */
  readonly file: string;
  private readonly store: Store<Settings>;
  private current: Settings;

  /** @throws {SettingsFileError} when a damaged file can be neither set aside nor replaced. */
  constructor(userDataDir: string) {
    this.file = path.join(userDataDir, `${STORE_NAME}.json`);
    this.recovery = recoverSettingsFile(this.file);
    this.current = this.recovery.settings;
    this.store = new Store<Settings>({ name: STORE_NAME, cwd: userDataDir, clearInvalidConfig: false });
  }

  get(): Settings {
    // A copy: a caller editing what it got must not change the settings behind the store's back.
    return structuredClone(this.current);
  }

  /**
   * Validates `patch`, applies it and saves the whole settings.
   *
   * @throws {SettingsFileError} `invalid-settings` for a patch the schema refuses, or
   *   `settings-write-failed`; either way the settings stay as they were.
   */
  update(patch: SettingsPatch): Settings {
    const parsed = SettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      throw new SettingsFileError(
        'invalid-settings',
        `Settings not changed: ${z.prettifyError(parsed.error)}`,
      );
    }
    const next = SettingsSchema.parse(applySettingsPatch(this.current, parsed.data));
    try {
      // The whole object, not a merge: electron-store writes it atomically.
      this.store.store = next;
    } catch (error) {
      throw new SettingsFileError(
        'settings-write-failed',
        `Could not save the settings to ${this.file}: ${(error as Error).message}. Check that its folder is writable.`,
      );
    }
    this.current = next;
    return this.get();
  }
}
