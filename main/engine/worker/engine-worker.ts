/**
 * The engine's message loop. Started as a Node `worker_thread` or an Electron `utilityProcess`; it
 * detects which from its globals and never imports Electron. onnxruntime's `run()` and tfjs-node ops
 * block the thread they run on, which is why the engine lives here and not in a UI or main process.
 */
import { parentPort } from 'node:worker_threads';
import { Engine } from '../engine.js';
import { serveEngine, type MessagePortLike } from './serve-engine.js';

/** Electron's utilityProcess gives its child `process.parentPort`, which wraps messages as `{ data }`. */
interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function connect(): MessagePortLike {
  if (parentPort !== null) {
    const port = parentPort;
    return {
      onMessage: (listener) => port.on('message', listener),
      postMessage: (message, transfer) => port.postMessage(message, transfer),
    };
  }
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort !== undefined) {
    return {
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
      postMessage: (message) => electronPort.postMessage(message),
    };
  }
  throw new Error('engine-worker must be started as a worker_thread or an Electron utilityProcess.');
}

serveEngine(new Engine(), connect());
