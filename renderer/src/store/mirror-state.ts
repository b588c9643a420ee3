import type { CameraSlice } from './camera-slice.js';
import type { EngineSlice } from './engine-slice.js';
import type { InstallationSlice } from './installation-slice.js';
import type { LibrarySlice } from './library-slice.js';
import type { ModelsSlice } from './models-slice.js';
import type { KioskSlice } from './kiosk-slice.js';
import type { RecoverySlice } from './recovery-slice.js';
import type { SettingsSlice } from './settings-slice.js';
import type { StatsSlice } from './stats-slice.js';
import type { UiSlice } from './ui-slice.js';

/** The whole renderer state: one store, one slice per concern. */
export type MirrorState = SettingsSlice &
  ModelsSlice &
  EngineSlice &
  StatsSlice &
  CameraSlice &
  UiSlice &
  LibrarySlice &
  RecoverySlice &
  KioskSlice &
  InstallationSlice;
