/**
 * The preload: the page's only door into the app. It exposes `window.styleMirror`, one named function
 * per control channel (never a generic `invoke(channel, ...)`: the page cannot reach anything the
 * contract does not name), and passes the engine's frame port on to the page. Main checks and
 * validates every call again; nothing here is trusted to.
 *
 * Sandboxed preloads run as CommonJS with only `electron` (and a few Node shims) to require: vite
 * bundles everything else in (preload/vite.config.ts). Only types and one constant come from the
 * contract, so no validator code ends up in the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ControlChannel, ControlRequest, ControlResponse, Result } from '../common/contract.js';
import { FRAME_PORT_CHANNEL, FRAME_PORT_MESSAGE, type PreloadApi } from '../common/preload-api.js';

/** Main answers every channel with a Result (main/app/ipc.ts); a failed IPC rejects, as the page expects. */
function invoke<C extends ControlChannel>(
  channel: C,
  request: ControlRequest<C>,
): Promise<Result<ControlResponse<C>>> {
  return ipcRenderer.invoke(channel, request) as Promise<Result<ControlResponse<C>>>;
}

const api: PreloadApi = {
  listModels: () => invoke('models:list', {}),
  selectModel: (id) => invoke('models:select', { id }),
  styleImage: (id) => invoke('models:style-image', { id }),
  modelThumbnail: (id, frame) => invoke('models:thumbnail', { id, frame }),
  engineStatus: () => invoke('engine:status', {}),
  getSettings: () => invoke('settings:get', {}),
  updateSettings: (patch) => invoke('settings:update', patch),
  saveSnapshot: (png) => invoke('snapshot:save', { png }),
  openSnapshotFolder: () => invoke('snapshot:open-folder', {}),
};

contextBridge.exposeInMainWorld('styleMirror', api);

// Only the ports go to the page, never the IPC event: it would hand the page `sender`, and with it
// ipcRenderer itself. Posted to our own origin only.
ipcRenderer.on(FRAME_PORT_CHANNEL, (event) => {
  window.postMessage(FRAME_PORT_MESSAGE, window.location.origin, [...event.ports]);
});
