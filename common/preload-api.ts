import type { ControlResponse, Result } from './contract.js';
import type { SettingsPatch } from './settings-schema.js';

/**
 * What Electron's preload exposes to the page as `window.styleMirror`: one named function per
 * control channel, nothing generic. Frames do not go through it: the preload hands the page a
 * MessagePort to the engine with `window.postMessage(FRAME_PORT_MESSAGE, origin, [port])`.
 */
export interface PreloadApi {
  listModels(): Promise<Result<ControlResponse<'models:list'>>>;
  selectModel(id: string): Promise<Result<ControlResponse<'models:select'>>>;
  styleImage(id: string): Promise<Result<ControlResponse<'models:style-image'>>>;
  modelThumbnail(
    id: string,
    frame: { data: Uint8Array; width: number; height: number; channels: 4 },
  ): Promise<Result<ControlResponse<'models:thumbnail'>>>;
  engineStatus(): Promise<Result<ControlResponse<'engine:status'>>>;
  getSettings(): Promise<Result<ControlResponse<'settings:get'>>>;
  updateSettings(patch: SettingsPatch): Promise<Result<ControlResponse<'settings:update'>>>;
  saveSnapshot(png: Uint8Array): Promise<Result<ControlResponse<'snapshot:save'>>>;
  openSnapshotFolder(): Promise<Result<ControlResponse<'snapshot:open-folder'>>>;
}

/** The `window.postMessage` data that carries the engine's frame port into the page. */
export const FRAME_PORT_MESSAGE = 'style-mirror:frame-port';

/**
 * The IPC channel on which main hands the preload the engine's frame port (`webContents.postMessage`);
 * the preload passes it on to the page as `FRAME_PORT_MESSAGE`.
 */
export const FRAME_PORT_CHANNEL = 'frame-port';
