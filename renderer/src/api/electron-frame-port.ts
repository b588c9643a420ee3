import { FRAME_PORT_MESSAGE } from '../../../common/preload-api.js';
import type { FramePort, FramePortClient } from './frame-port-client.js';

/**
 * Hands every engine port the preload posts to the page (`window.postMessage(FRAME_PORT_MESSAGE,
 * origin, [port])`) to `client`: the first at start, a new one after each engine restart. Only
 * messages from this window itself, from this page's origin, count: another frame or window could
 * post a port of its own to intercept the camera's frames.
 */
export function receiveFramePorts(client: FramePortClient): () => void {
  const onMessage = (event: MessageEvent): void => {
    if (event.source !== window || event.origin !== location.origin || event.data !== FRAME_PORT_MESSAGE)
      return;
    const port = event.ports[0];
    if (port !== undefined) client.attach(adaptPort(port));
  };
  window.addEventListener('message', onMessage);
  return () => window.removeEventListener('message', onMessage);
}

function adaptPort(port: MessagePort): FramePort {
  return {
    // No transfer list: Electron loses the whole message when ArrayBuffers are transferred from a
    // page's MessagePort to a utility process's port (electron/electron#34905, open). Copying a
    // processing-size frame (256x192 RGBA: 196 KB) costs well under a millisecond.
    postMessage: (request) => port.postMessage(request),
    listen: (onReply) => {
      // Setting onmessage also starts the port's message queue.
      port.onmessage = (event: MessageEvent) => onReply(event.data);
    },
    close: () => port.close(),
  };
}
