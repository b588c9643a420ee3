import type { RawData, WebSocket } from 'ws';
import { decodeWire, encodeWire, type ClientMessage, type ServerMessage } from '../../common/wire.js';
import { dispatchControl, type ControlHandlers } from '../../common/contract.js';
import type { Frame } from '../../common/frame.js';
import { EngineCallError } from '../../common/engine-errors.js';
import { toEngineError, type EngineCaller, type EngineError } from '../../common/engine-protocol.js';
import { badMessage, parseClientMessage } from './client-message.js';

/**
 * Frames one page may have at the engine at once. Two keep the engine busy while a result travels
 * back; more would only build a queue, and a queue is latency: the mirror must show you now.
 */
export const MAX_FRAMES_IN_FLIGHT = 2;

/** The answer to a frame beyond the cap: the page drops that frame and sends a newer one later. */
export const BUSY_ERROR: EngineError = {
  kind: 'Busy',
  code: 'busy',
  message: `The engine already has ${MAX_FRAMES_IN_FLIGHT} frames from this page; frame dropped.`,
};

export interface WireConnectionDeps {
  readonly engine: EngineCaller;
  readonly handlers: ControlHandlers;
  /** Problems worth a line on the server's console (never per-frame chatter). */
  readonly log: (line: string) => void;
}

/**
 * Serves one browser page on its WebSocket: every message is checked, control requests go through
 * the contract's dispatcher, frames to the engine, and each gets exactly one reply with its id.
 * Nothing a page sends can throw out of here.
 */
export function serveWireConnection(socket: WebSocket, deps: WireConnectionDeps): void {
  let framesInFlight = 0;

  const send = (message: ServerMessage): void => {
    if (socket.readyState !== socket.OPEN) return;
    try {
      socket.send(encodeWire(message));
    } catch (error) {
      deps.log(`browser mode: could not send a reply: ${(error as Error).message}`);
    }
  };

  socket.on('error', (error) => deps.log(`browser mode: WebSocket error: ${error.message}`));
  socket.on('message', (data: RawData, isBinary: boolean) => {
    const message = readMessage(data, isBinary);
    if (!message.ok) {
      send({ t: 'reply', id: message.id, ok: false, error: message.error });
      return;
    }
    if (message.message.t === 'control') void answerControl(message.message);
    else void answerFrame(message.message);
  });

  async function answerControl(message: Extract<ClientMessage, { t: 'control' }>): Promise<void> {
    const result = await dispatchControl(deps.handlers, message.channel, message.payload);
    send({ t: 'reply', id: message.id, ...result });
  }

  async function answerFrame(message: Extract<ClientMessage, { t: 'frame' }>): Promise<void> {
    if (framesInFlight >= MAX_FRAMES_IN_FLIGHT) {
      send({ t: 'reply', id: message.id, ok: false, error: BUSY_ERROR });
      return;
    }
    framesInFlight++;
    try {
      // The decoded pixels are a view into the socket's buffer (a Node Buffer, whose slice() would
      // not copy): copy them once into a buffer of their own, which then moves to the engine's
      // thread instead of being cloned again.
      const data = new Uint8Array(message.frame.data);
      const frame: Frame = { ...message.frame, data };
      const result = await deps.engine.call('stylize', { frame, options: message.options }, [
        data.buffer as ArrayBuffer,
      ]);
      send({ t: 'reply', id: message.id, ok: true, value: result });
    } catch (error) {
      send({ t: 'reply', id: message.id, ok: false, error: engineError(error) });
    } finally {
      framesInFlight--;
    }
  }
}

function readMessage(
  data: RawData,
  isBinary: boolean,
): ReturnType<typeof parseClientMessage> | ReturnType<typeof badMessage> {
  if (!isBinary) return badMessage(undefined, 'Messages must be binary MessagePack, not text.');
  let decoded: unknown;
  try {
    decoded = decodeWire(Array.isArray(data) ? Buffer.concat(data) : data);
  } catch (error) {
    return badMessage(undefined, `Message is not valid MessagePack: ${(error as Error).message}`);
  }
  return parseClientMessage(decoded);
}

/** The engine's error as data, its kind and code kept across the worker boundary. */
function engineError(error: unknown): EngineError {
  if (error instanceof EngineCallError) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.code === undefined ? {} : { code: error.code }),
    };
  }
  return toEngineError(error);
}
