import type { ModelInfo } from '../../../common/contract.js';
import type { MirrorState } from './mirror-state.js';

/**
 * Every selector components use. Each returns a value already in the state (or a primitive), so
 * zustand's identity check does not re-render on every store change.
 */
export const selectSettings = (s: MirrorState) => s.settings;
export const selectModels = (s: MirrorState) => s.models;
export const selectCurrentModelId = (s: MirrorState) => s.currentModelId;
export const selectPendingModelId = (s: MirrorState) => s.pendingModelId;
export const selectEngine = (s: MirrorState) => s.engine;
export const selectEngineProblem = (s: MirrorState) => s.engineProblem;
export const selectStartupProblem = (s: MirrorState) => s.startupProblem;
export const selectStats = (s: MirrorState) => s.stats;
export const selectCameras = (s: MirrorState) => s.cameras;
export const selectCameraError = (s: MirrorState) => s.cameraError;
export const selectCameraRetries = (s: MirrorState) => s.cameraRetries;
export const selectCameraSize = (s: MirrorState) => s.cameraSize;
export const selectHasPicture = (s: MirrorState) => s.stats.displayedFrames > 0;
export const selectPickerOpen = (s: MirrorState) => s.pickerOpen;
export const selectControlsVisible = (s: MirrorState) => s.controlsVisible;
export const selectToasts = (s: MirrorState) => s.toasts;
export const selectModelToast = (s: MirrorState) => s.modelToast;
export const selectShowHud = (s: MirrorState) => s.settings?.showHud ?? false;
export const selectImporting = (s: MirrorState) => s.importing;
export const selectPacksOpen = (s: MirrorState) => s.packsOpen;
export const selectPacks = (s: MirrorState) => s.packs;
export const selectPackStatus = (s: MirrorState) => s.packStatus;
export const selectSplitView = (s: MirrorState) => s.settings?.splitView ?? false;

/** The model the engine is running, or null. */
export function selectCurrentModel(s: MirrorState): ModelInfo | null {
  return s.models?.find((m) => m.id === s.currentModelId) ?? null;
}

/** The HUD's backend line exactly as the engine reports it: kind · runtime · device ("ort · cpu · CPU"). */
export function selectBackendLabel(s: MirrorState): string | null {
  const backend = s.engine?.backend;
  return backend === undefined ? null : `${backend.kind} · ${backend.runtime} · ${backend.device}`;
}

export const selectRecordingSince = (s: MirrorState): number | null => s.recordingSince;
export const selectClosed = (s: MirrorState) => s.closed;
