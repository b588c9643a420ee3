import type { Settings, SettingsPatch } from '../../../common/settings-schema.js';

/**
 * Where settings live: electron-store in the app, a JSON file in browser mode. Both load through the
 * same migrations, and both keep a corrupt file aside instead of losing it.
 */
export interface SettingsStore {
  /** The current, valid settings. */
  get(): Settings;
  /** Applies a validated partial update, persists it, and returns the whole new settings. */
  update(patch: SettingsPatch): Settings;
}
