import type { OpenWireSocket } from './wire-connection.js';
import { closeReason } from './wire-url.js';

/** Opens the page's WebSocket to `url` and reports its events in the shape WireConnection wants. */
export function browserSocket(url: string): OpenWireSocket {
  return (events) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => events.open();
    socket.onmessage = (event: MessageEvent) => {
      if (event.data instanceof ArrayBuffer) events.message(event.data);
    };
    // A failed connection fires error then close; report the close, which always comes, once.
    socket.onclose = (event: CloseEvent) => events.close(closeReason(event.code, event.reason));
    return {
      send: (bytes) => socket.send(bytes),
      close: () => socket.close(),
    };
  };
}
