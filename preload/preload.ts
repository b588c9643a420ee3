/**
 * The preload: the page's only door into the app. It exposes `window.styleMirror`, one named function
 * per control channel, built from the channel table (never a generic `invoke(channel, ...)`: the page
 * cannot reach a channel the contract does not name), and passes the engine's frame port on to the
 * page. Main checks the sender and validates every request; nothing here is trusted to.
 *
 * Sandboxed preloads run as CommonJS with only `electron` (and a few Node shims) to require: vite
 * bundles everything else in (preload/vite.config.ts). Nothing with zod comes in (lint holds the
 * contract's modules to type imports here), so no validator code ends up in the page's process.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildControlApi } from '../common/control-api.js';
import type { ControlResponse, Result } from '../common/contract.js';
import { MIRROR_EVENT_CHANNEL } from '../common/mirror-events.js';
import { FRAME_PORT_CHANNEL, FRAME_PORT_MESSAGE, type PreloadApi } from '../common/preload-api.js';

// Main answers every channel with a Result (main/app/ipc.ts); a failed IPC rejects, as the page expects.
const control = buildControlApi(
  (channel, request) =>
    ipcRenderer.invoke(channel, request) as Promise<Result<ControlResponse<typeof channel>>>,
);

/** Main's pushed events, passed on without the IPC event (it would hand the page `sender`). */
function onEvent(listener: (event: unknown) => void): () => void {
  const forward = (_event: unknown, payload: unknown): void => listener(payload);
  ipcRenderer.on(MIRROR_EVENT_CHANNEL, forward);
  return () => {
    ipcRenderer.off(MIRROR_EVENT_CHANNEL, forward);
  };
}

const api: PreloadApi = { ...control, onEvent };

contextBridge.exposeInMainWorld('styleMirror', api);

// Only the ports go to the page, never the IPC event: it would hand the page `sender`, and with it
// ipcRenderer itself. Posted to our own origin only.
ipcRenderer.on(FRAME_PORT_CHANNEL, (event) => {
  window.postMessage(FRAME_PORT_MESSAGE, window.location.origin, [...event.ports]);
});
