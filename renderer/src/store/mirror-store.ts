import { createStore, type StoreApi } from 'zustand/vanilla';
import { createCameraSlice } from './camera-slice.js';
import { createEngineSlice } from './engine-slice.js';
import { createInstallationSlice } from './installation-slice.js';
import { createLibrarySlice } from './library-slice.js';
import type { MirrorState } from './mirror-state.js';
import { createModelsSlice } from './models-slice.js';
import { createKioskSlice } from './kiosk-slice.js';
import { createRecoverySlice } from './recovery-slice.js';
import { createSettingsSlice } from './settings-slice.js';
import { createStatsSlice } from './stats-slice.js';
import { createUiSlice } from './ui-slice.js';

export type { MirrorState } from './mirror-state.js';
export type MirrorStore = StoreApi<MirrorState>;

/**
 * A new store (tests make their own; the page uses `mirrorStore`). This folder is the only place that
 * imports zustand: components read state through `useMirror(selector)` with the selectors in
 * `selectors.ts`, and non-React code (the frame pump, the controller) through `getState()`.
 */
export function createMirrorStore(): MirrorStore {
  return createStore<MirrorState>()((...a) => ({
    ...createSettingsSlice(...a),
    ...createModelsSlice(...a),
    ...createEngineSlice(...a),
    ...createStatsSlice(...a),
    ...createCameraSlice(...a),
    ...createUiSlice(...a),
    ...createLibrarySlice(...a),
    ...createRecoverySlice(...a),
    ...createKioskSlice(...a),
    ...createInstallationSlice(...a),
  }));
}

/** The page's store. */
export const mirrorStore: MirrorStore = createMirrorStore();
