import type { ControlApi } from './control-api.js';

/**
 * What Electron's preload exposes to the page as `window.styleMirror`: one named function per
 * control channel (built from the channel table), nothing generic. Frames do not go through it: the
 * preload hands the page a MessagePort to the engine with
 * `window.postMessage(FRAME_PORT_MESSAGE, origin, [port])`.
 */
export type PreloadApi = ControlApi & {
  /**
   * Calls `listener` with what main sends on `MIRROR_EVENT_CHANNEL` (unchecked: the page checks it
   * with `parseMirrorEvent`); returns the unsubscribe.
   */
  readonly onEvent: (listener: (event: unknown) => void) => () => void;
};

/** The `window.postMessage` data that carries the engine's frame port into the page. */
export const FRAME_PORT_MESSAGE = 'style-mirror:frame-port';

/**
 * The IPC channel on which main hands the preload the engine's frame port (`webContents.postMessage`);
 * the preload passes it on to the page as `FRAME_PORT_MESSAGE`.
 */
export const FRAME_PORT_CHANNEL = 'frame-port';
