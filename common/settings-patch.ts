/**
 * What a settings patch means, once for the settings stores and the page (zod-free, so the page can
 * import it): a field given replaces the field, a field left out or `undefined` keeps it, and a
 * group (`camera`, `kiosk`, `cycle`, ...) is merged field by field (choosing a camera keeps the
 * requested resolution; turning cycling on keeps the playlist).
 */
import type { Settings, SettingsUpdate } from './settings-schema.js';

/**
 * The settings that are groups of fields: a patch merges each of them field by field. Here, not in
 * the schema module, because the page imports this file and must not bundle zod (its `new Function`
 * probe breaks the page's CSP).
 */
export const SETTINGS_GROUPS = [
  'camera',
  'kiosk',
  'cycle',
  'attract',
  'openingHours',
  'remote',
] as const satisfies readonly {
  [K in keyof Settings]: Settings[K] extends object ? K : never;
}[keyof Settings][];

/** `settings` with `patch` applied. Pure; validating the result is the caller's. */
export function applySettingsPatch(settings: Settings, patch: SettingsUpdate): Settings {
  const next: Record<string, unknown> = { ...settings, ...definedFields(patch) };
  for (const group of SETTINGS_GROUPS) {
    next[group] = { ...settings[group], ...definedFields(patch[group] ?? {}) };
  }
  return next as Settings;
}

/** Two patches as one, the later winning field by field (groups merge field by field). */
export function mergeSettingsPatches<P extends SettingsUpdate>(first: P, second: P): P {
  const merged: Record<string, unknown> = { ...definedFields(first), ...definedFields(second) };
  for (const group of SETTINGS_GROUPS) {
    if (first[group] === undefined && second[group] === undefined) continue;
    merged[group] = { ...definedFields(first[group] ?? {}), ...definedFields(second[group] ?? {}) };
  }
  return merged as P;
}

/** `object` without the fields whose value is `undefined`. */
function definedFields<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}
