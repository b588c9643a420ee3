import type { Settings, SettingsUpdate } from '../../../common/settings-schema.js';

/**
 * Where settings live: one JSON file (`JsonFileSettingsStore`), `<userData>/settings.json` in the app
 * and the user's config folder in browser mode. It loads through the migrations and keeps a damaged
 * file aside instead of losing it.
 */
export interface SettingsStore {
  /** The current, valid settings. */
  get(): Settings;
  /**
   * Applies a validated partial update, persists it, and returns the whole new settings. The page's
   * patches come through the contract (no folders); main adds a folder the person chose.
   */
  update(patch: SettingsUpdate): Settings;
  /** What the person should be told about the settings since the start (see `RecoveredSettings`). */
  readonly warnings: readonly string[];
}
