/**
 * The engine's message loop. Started as a Node `worker_thread` or an Electron `utilityProcess`; it
 * detects which from its globals and never imports Electron. onnxruntime's `run()` and tfjs-node ops
 * block the thread they run on, which is why the engine lives here and not in a UI or main process.
 */
import { parentPort } from 'node:worker_threads';
import { Engine } from '../engine.js';
import { ATTACH_FRAME_PORT } from '../../../common/engine-protocol.js';
import { EngineTurns, serveEngine, type MessagePortLike } from './serve-engine.js';

/**
 * In a utilityProcess, main sends `{ type: ATTACH_FRAME_PORT }` with a MessagePort (the other end is
 * the window's): the engine serves frames on it, so frames never pass through main. That port is the
 * page's, so it carries frames and their replies only: no model loads, no folders, no dispose; those
 * go through main, which checks the sender and resolves model ids.
 */
const FRAME_PORT_METHODS = ['stylize'] as const;

/** An Electron port, as much of it as the loop uses. Messages arrive wrapped as `{ data }`. */
interface ElectronPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** A MessagePortMain handed over by main. */
interface ElectronFramePort extends ElectronPort {
  start(): void;
}

/** Electron's utilityProcess gives its child `process.parentPort`; its messages may carry ports. */
interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports?: ElectronFramePort[] }) => void): void;
  postMessage(message: unknown): void;
}

/**
 * Wraps an Electron port. Its postMessage transfers only MessagePorts, never ArrayBuffers, so
 * replies are copied; passing the loop's ArrayBuffer transfer list would make Electron throw.
 */
function electronPort(port: ElectronPort): MessagePortLike {
  return {
    onMessage: (listener) => port.on('message', (event) => listener(event.data)),
    postMessage: (message) => port.postMessage(message),
  };
}

function start(engine: Engine): void {
  if (parentPort !== null) {
    const port = parentPort;
    serveEngine(engine, {
      onMessage: (listener) => port.on('message', listener),
      postMessage: (message, transfer) => port.postMessage(message, transfer),
    });
    return;
  }
  // One queue for every port: a model switch from main waits for the page's frame and vice versa.
  const turns = new EngineTurns();
  const electronParent = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronParent === undefined) {
    throw new Error('engine-worker must be started as a worker_thread or an Electron utilityProcess.');
  }
  serveEngine(
    engine,
    {
      onMessage: (listener) =>
        electronParent.on('message', (event) => {
          const data = event.data as { type?: unknown } | null;
          if (data?.type !== ATTACH_FRAME_PORT) {
            listener(event.data);
            return;
          }
          const framePort = event.ports?.[0];
          if (framePort === undefined) return; // Nothing to serve: a malformed attach from main.
          serveEngine(engine, electronPort(framePort), { turns, allow: FRAME_PORT_METHODS });
          // A MessagePortMain queues messages until started.
          framePort.start();
        }),
      // Copied, like electronPort's: the parent port transfers no ArrayBuffers either.
      postMessage: (message) => electronParent.postMessage(message),
    },
    { turns },
  );
}

start(new Engine());
