/**
 * What a settings patch means, once for the settings stores and the page (zod-free, so the page can
 * import it): a field given replaces the field, a field left out or `undefined` keeps it, and a
 * group (`camera`, `kiosk`, `cycle`, ...) is merged field by field (choosing a camera keeps the
 * requested resolution; turning cycling on keeps the playlist).
 */
import { SETTINGS_GROUPS, type Settings, type SettingsUpdate } from './settings-schema.js';

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
