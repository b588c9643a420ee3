import type { StateCreator } from 'zustand/vanilla';
import type { Settings } from '../../../common/settings-schema.js';
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
