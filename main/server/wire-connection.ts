import type { RawData, WebSocket } from 'ws';
import {
  decodeWire,
  encodeWire,
  MAX_CLIENT_MESSAGE_BYTES,
  SERVER_WIRE_LIMITS,
  type ClientMessage,
  type ServerEventMessage,
  type ServerMessage,
} from '../../common/wire.js';
import type { MirrorEvent } from '../../common/mirror-events.js';
import { dispatchControl, type ContractError, type ControlHandlers } from '../../common/contract.js';
import type { Frame } from '../../common/frame.js';
import { EngineCallError } from '../../common/engine-errors.js';
import { toEngineError, type EngineCaller, type EngineError } from '../../common/engine-protocol.js';
import { badMessage, parseClientMessage } from './client-message.js';
import {
  LOGGED_ERRORS_PER_PAGE,
  MAX_CONTROL_CALLS_IN_FLIGHT,
  MAX_FRAMES_IN_FLIGHT,
  MAX_UNREAD_REPLY_BYTES,
} from './browser-limits.js';

/** The answer to a frame beyond the cap: the page drops that frame and sends a newer one later. */
export const BUSY_ERROR: EngineError = {
  kind: 'Busy',
  code: 'busy',
  message: `The engine already has ${MAX_FRAMES_IN_FLIGHT} frames from this page; frame dropped.`,
};

/** The answer to a control request beyond the cap. */
export const CONTROL_BUSY_ERROR: ContractError = {
  code: 'busy',
  message:
    `This page already has ${MAX_CONTROL_CALLS_IN_FLIGHT} requests waiting for answers, ` +
    "browser mode's limit per page; wait for them.",
};

/** WebSocket close code for a message over the size limit (RFC 6455: 1009, message too big). */
const MESSAGE_TOO_BIG = 1009;
/** Its reason, for people (a close reason holds at most 123 bytes). */
export const MESSAGE_TOO_BIG_REASON = `Browser mode takes messages of at most ${MAX_CLIENT_MESSAGE_BYTES} bytes.`;

export interface WireConnectionDeps {
  readonly engine: EngineCaller;
  readonly handlers: ControlHandlers;
  /** Problems worth a line on the server's console (never per-frame chatter). */
  readonly log: (line: string) => void;
  /** Takes this machine's paths out of an error text before it leaves for the page. */
  readonly scrubPaths: (text: string) => string;
}

/** The server's side of one page's connection: what it may push to the page unasked. */
export interface PageConnection {
  /** Sends `event` to the page; false when the socket is no longer open. */
  push(event: MirrorEvent): boolean;
}

/**
 * Serves one browser page on its WebSocket: every message is checked, control requests go through
 * the contract's dispatcher, frames to the engine, and each gets exactly one reply with its id.
 * Nothing a page sends can throw out of here, and no error text names a path on this machine (the
 * server's log keeps the full text).
 */
export function serveWireConnection(socket: WebSocket, deps: WireConnectionDeps): PageConnection {
  let framesInFlight = 0;
  let controlCallsInFlight = 0;
  let errorsLogged = 0;

  // ws closes a socket whose message passes maxPayload with a bare 1009; say why, naming the limit.
  // (ws calls the instance's close(), so this is where the reason can be added.)
  const close = socket.close.bind(socket);
  socket.close = (code?: number, reason?: string | Buffer) =>
    close(code, code === MESSAGE_TOO_BIG && reason === undefined ? MESSAGE_TOO_BIG_REASON : reason);

  const logError = (line: string): void => {
    if (errorsLogged > LOGGED_ERRORS_PER_PAGE) return;
    errorsLogged++;
    deps.log(
      errorsLogged > LOGGED_ERRORS_PER_PAGE
        ? `browser mode: more errors from this page; not logging them (limit ${LOGGED_ERRORS_PER_PAGE}).`
        : line,
    );
  };

  /** Sends one message; false when it could not go (socket closed, or the page stopped reading). */
  const transmit = (message: ServerMessage | ServerEventMessage): boolean => {
    if (socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount > MAX_UNREAD_REPLY_BYTES) {
      // No close handshake: its frame would queue behind the replies the page is not reading.
      deps.log(
        `browser mode: disconnected a page that left more than ${MAX_UNREAD_REPLY_BYTES} bytes of replies unread.`,
      );
      socket.terminate();
      return false;
    }
    try {
      socket.send(encodeWire(message));
      return true;
    } catch (error) {
      deps.log(`browser mode: could not send to a page: ${(error as Error).message}`);
      return false;
    }
  };
  const send = (message: ServerMessage): void => {
    transmit(message.ok ? message : { ...message, error: scrubbed(message.error) });
  };

  /** Only the error's fields the page reads, its message without paths; the full one goes to the log. */
  function scrubbed(error: ContractError | EngineError): ContractError | EngineError {
    const message = deps.scrubPaths(error.message);
    if (message !== error.message) logError(`browser mode: a page was told: ${error.message}`);
    const { code } = error;
    const kind = 'kind' in error ? error.kind : undefined;
    return kind === undefined
      ? { code: code ?? 'error', message }
      : { kind, ...(code === undefined ? {} : { code }), message };
  }

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
    if (controlCallsInFlight >= MAX_CONTROL_CALLS_IN_FLIGHT) {
      send({ t: 'reply', id: message.id, ok: false, error: CONTROL_BUSY_ERROR });
      return;
    }
    controlCallsInFlight++;
    try {
      const result = await dispatchControl(deps.handlers, message.channel, message.payload);
      send({ t: 'reply', id: message.id, ...result });
    } finally {
      controlCallsInFlight--;
    }
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

  return { push: (event) => transmit({ t: 'event', event }) };
}

function readMessage(
  data: RawData,
  isBinary: boolean,
): ReturnType<typeof parseClientMessage> | ReturnType<typeof badMessage> {
  if (!isBinary) return badMessage(undefined, 'Messages must be binary MessagePack, not text.');
  let decoded: unknown;
  try {
    decoded = decodeWire(Array.isArray(data) ? Buffer.concat(data) : data, SERVER_WIRE_LIMITS);
  } catch (error) {
    return badMessage(undefined, `Message refused: ${(error as Error).message}`);
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
