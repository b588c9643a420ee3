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

/**
 * The HUD's precision line: the arithmetic that ran and why, as the engine says it ("int8 · auto: the
 * CPU has avx512_vnni, and int8 is 34.1 dB PSNR against float32 …"); null before an engine says.
 */
export function selectPrecisionLabel(s: MirrorState): string | null {
  const backend = s.engine?.backend;
  if (backend?.precision === undefined) return null;
  return backend.precisionReason === undefined
    ? backend.precision
    : `${backend.precision} · ${backend.precisionReason}`;
}

export const selectRecordingSince = (s: MirrorState): number | null => s.recordingSince;

export const selectRecovery = (s: MirrorState) => s.recovery;
export const selectCameraHealth = (s: MirrorState) => s.recovery.camera;
export const selectEngineHealth = (s: MirrorState) => s.recovery.engine;

/** Whether kiosk mode is on for this page: asked for by the setting or the address, and not left. */
export function selectKioskActive(s: MirrorState): boolean {
  return !s.kioskLeft && (s.kioskRequested || s.settings?.kiosk.enabled === true);
}

/** Kiosk mode with its settings hidden: the painted picture alone, no cursor, no toasts. */
export const selectKioskLocked = (s: MirrorState): boolean => selectKioskActive(s) && !s.kioskRevealed;
export const selectKioskPinOpen = (s: MirrorState) => s.kioskPinOpen;
export const selectClosed = (s: MirrorState) => s.closed;
