import type { StateCreator } from 'zustand/vanilla';
import type { Settings, SettingsPatch } from '../../../common/settings-schema.js';
import type { MirrorState } from './mirror-state.js';

export interface SettingsSlice {
  /** The settings as the mirror uses them now (including changes still being saved); null until loaded. */
  readonly settings: Settings | null;
  setSettings(settings: Settings): void;
}

export const createSettingsSlice: StateCreator<MirrorState, [], [], SettingsSlice> = (set) => ({
  settings: null,
  setSettings: (settings) => set({ settings }),
});

/** `settings` with `patch` applied, as the settings store applies it (camera fields merge). */
export function applySettingsPatch(settings: Settings, patch: SettingsPatch): Settings {
  const { camera, ...rest } = patch;
  return { ...settings, ...rest, camera: { ...settings.camera, ...camera } };
}

/** Two patches as one, the later winning field by field (camera fields merge). */
export function mergeSettingsPatches(first: SettingsPatch, second: SettingsPatch): SettingsPatch {
  const camera =
    first.camera === undefined && second.camera === undefined
      ? {}
      : { camera: { ...first.camera, ...second.camera } };
  return { ...first, ...second, ...camera };
}
