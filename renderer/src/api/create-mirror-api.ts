import type { MirrorApi } from '../../../common/mirror-api.js';
import type { PreloadApi } from '../../../common/preload-api.js';
import { browserSocket } from './browser-socket.js';
import { electronMirrorApi } from './electron-mirror-api.js';
import { receiveFramePorts } from './electron-frame-port.js';
import { FramePortClient } from './frame-port-client.js';
import { webSocketMirrorApi } from './websocket-mirror-api.js';
import { WireConnection } from './wire-connection.js';
import { wireUrl } from './wire-url.js';

declare global {
  interface Window {
    /** Electron's preload API; absent in browser mode. */
    readonly styleMirror?: PreloadApi;
  }
}

/**
 * The API for this page: Electron's preload and frame port when the preload is there, else browser
 * mode's WebSocket to the server that served the page.
 */
export function createMirrorApi(): MirrorApi {
  const preload = window.styleMirror;
  if (preload !== undefined) {
    const frames = new FramePortClient();
    receiveFramePorts(frames);
    return electronMirrorApi(preload, frames);
  }
  return webSocketMirrorApi(new WireConnection(browserSocket(wireUrl(location))));
}
