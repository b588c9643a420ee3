/**
 * What a settings patch means, once for the settings stores and the page (zod-free, so the page can
 * import it): a field given replaces the field, a field left out or `undefined` keeps it, and
 * `camera` is merged field by field (choosing a camera keeps the requested resolution).
 */
import type { Settings, SettingsUpdate } from './settings-schema.js';

/** `settings` with `patch` applied. Pure; validating the result is the caller's. */
export function applySettingsPatch(settings: Settings, patch: SettingsUpdate): Settings {
  const { camera, ...rest } = patch;
  return {
    ...settings,
    ...definedFields(rest),
    camera: { ...settings.camera, ...definedFields(camera ?? {}) },
  };
}

/** Two patches as one, the later winning field by field (camera fields merge). */
export function mergeSettingsPatches<P extends SettingsUpdate>(first: P, second: P): P {
  const { camera: firstCamera, ...firstRest } = first;
  const { camera: secondCamera, ...secondRest } = second;
  const merged = { ...definedFields(firstRest), ...definedFields(secondRest) } as P;
  if (firstCamera === undefined && secondCamera === undefined) return merged;
  return { ...merged, camera: { ...definedFields(firstCamera ?? {}), ...definedFields(secondCamera ?? {}) } };
}

/** `object` without the fields whose value is `undefined`. */
function definedFields<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}
