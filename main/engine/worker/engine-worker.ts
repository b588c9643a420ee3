/**
 * The engine's message loop. Started as a Node `worker_thread` or an Electron `utilityProcess`; it
 * detects which from its globals and never imports Electron. onnxruntime's `run()` and tfjs-node ops
 * block the thread they run on, which is why the engine lives here and not in a UI or main process.
 */
import { parentPort } from 'node:worker_threads';
import { Engine } from '../engine.js';
import { ATTACH_FRAME_PORT } from '../../../common/engine-protocol.js';
import { serveEngine, type MessagePortLike } from './serve-engine.js';

/**
 * In a utilityProcess, main sends `{ type: 'attach-frame-port' }` with a MessagePort (the other end
 * is the window's): the engine serves it like its parent port, so frames never pass through main.
 * Keep in step with `ATTACH_FRAME_PORT` in main/app/engine-process.ts.
 */

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
 * One Engine serves every port: the parent port loads models, frame ports stylize. Each port's loop
 * already runs its own requests in order; this makes the ports take turns too, so a model switch
 * never releases a network that a frame from another port is still running on.
 */
class SerialEngine extends Engine {
  private turn: Promise<unknown> = Promise.resolve();

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.turn.then(task);
    this.turn = result.catch(() => undefined);
    return result;
  }

  override loadModel(...args: Parameters<Engine['loadModel']>): ReturnType<Engine['loadModel']> {
    return this.serial(() => super.loadModel(...args));
  }

  override stylize(...args: Parameters<Engine['stylize']>): ReturnType<Engine['stylize']> {
    return this.serial(() => super.stylize(...args));
  }

  override thumbnail(...args: Parameters<Engine['thumbnail']>): ReturnType<Engine['thumbnail']> {
    return this.serial(() => super.thumbnail(...args));
  }

  override dispose(): Promise<void> {
    return this.serial(() => super.dispose());
  }
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
  const electronParent = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronParent === undefined) {
    throw new Error('engine-worker must be started as a worker_thread or an Electron utilityProcess.');
  }
  serveEngine(engine, {
    onMessage: (listener) =>
      electronParent.on('message', (event) => {
        const data = event.data as { type?: unknown } | null;
        if (data?.type !== ATTACH_FRAME_PORT) {
          listener(event.data);
          return;
        }
        const framePort = event.ports?.[0];
        if (framePort === undefined) return; // Nothing to serve: a malformed attach from main.
        serveEngine(engine, electronPort(framePort));
        // A MessagePortMain queues messages until started.
        framePort.start();
      }),
    // Copied, like electronPort's: the parent port transfers no ArrayBuffers either.
    postMessage: (message) => electronParent.postMessage(message),
  });
}

start(new SerialEngine());
