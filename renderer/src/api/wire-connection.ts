import { decodeWire, encodeWire, type ClientMessage } from '../../../common/wire.js';
import { RequestError, RequestTracker } from '../../../common/request-tracker.js';
import { parseMirrorEvent, type MirrorEventListener } from '../../../common/mirror-events.js';
import { realTimers, type Timers } from '../lib/timers.js';
import { reconnectDelay } from './backoff.js';

/** A reply as the browser-mode server sends it, checked for shape. */
export type WireReply =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly error: { readonly code?: string; readonly kind?: string; readonly message: string };
    };

/** What the connection needs from a socket; `browser-socket.ts` adapts the page's WebSocket to it. */
export interface WireSocket {
  send(bytes: Uint8Array): void;
  close(): void;
}

/** Events a socket reports back to the connection. */
export interface WireSocketEvents {
  open(): void;
  message(data: ArrayBuffer | Uint8Array): void;
  /** The socket closed or failed to open; `reason` is for people. */
  close(reason: string): void;
}

export type OpenWireSocket = (events: WireSocketEvents) => WireSocket;

/** Id-less client messages: the connection numbers them. */
export type OutgoingMessage = ClientMessage extends infer M
  ? M extends unknown
    ? Omit<M, 'id'>
    : never
  : never;

type State = 'connecting' | 'open' | 'waiting' | 'closed';

/**
 * How long the page waits for the server's reply. The server answers by itself within the engine's
 * deadlines (a model load's 60 s at most, a frame's 15 s), even for an engine that hangs; these only
 * catch a server or a connection that went silent without closing, so a frame or a button never
 * waits forever. They leave room for a reply delayed by an engine restart.
 */
export const REPLY_DEADLINES_MS = { control: 120_000, frame: 30_000 } as const;

/**
 * One WebSocket to the browser-mode server, kept open: requests get ids and their replies find them;
 * when the socket drops, every pending request resolves `{ ok: false }` at once (nothing hangs) and
 * the connection reconnects with capped exponential backoff. A request with no reply within its
 * deadline ({@link REPLY_DEADLINES_MS}) resolves `{ ok: false }` with code `timeout`.
 *
 * Requests made while a socket is opening wait for it; requests made while there is none (between
 * attempts) fail at once, so the frame pump is told immediately and retries on its own schedule.
 */
export class WireConnection {
  private state: State = 'connecting';
  private socket: WireSocket | undefined;
  private readonly requests: RequestTracker<WireReply>;
  /** Encoded requests waiting for the socket to open, by id. */
  private readonly unsent = new Map<number, Uint8Array>();
  private attempt = 0;
  private retryTimer: unknown;
  private lastProblem = 'Connecting to Style Mirror…';
  private readonly eventListeners = new Set<MirrorEventListener>();

  constructor(
    private readonly openSocket: OpenWireSocket,
    private readonly timers: Timers = realTimers,
  ) {
    this.requests = new RequestTracker({ timers });
    this.connect();
  }

  /** Whether a socket is open now. */
  get connected(): boolean {
    return this.state === 'open';
  }

  /** Sends `message` and resolves with its reply, or `{ ok: false }` if the connection fails first. */
  async request(message: OutgoingMessage): Promise<WireReply> {
    if (this.state === 'closed' || this.state === 'waiting') {
      return failure('disconnected', `Not connected to Style Mirror: ${this.lastProblem}`);
    }
    const { id, reply } = this.requests.open({
      label: message.t === 'frame' ? 'the frame' : `"${message.channel}"`,
      timeoutMs: REPLY_DEADLINES_MS[message.t],
    });
    try {
      this.unsent.set(id, encodeWire({ ...message, id } as ClientMessage));
      if (this.state === 'open') this.send(id);
    } catch (error) {
      const problem = new Error(`Could not encode the request: ${String(error)}`);
      this.requests.reject(id, Object.assign(problem, { code: 'invalid-request' }));
    }
    try {
      return await reply;
    } catch (error) {
      this.unsent.delete(id);
      const { code, message: problem } = error as { code?: unknown; message: string };
      return failure(typeof code === 'string' ? code : 'disconnected', problem);
    }
  }

  /** Calls `listener` with every event the server pushes; returns the unsubscribe. */
  onEvent(listener: MirrorEventListener): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  /** Closes for good: pending requests fail, no reconnects. */
  close(): void {
    this.state = 'closed';
    this.timers.clearTimeout(this.retryTimer);
    this.failAll('The connection was closed.');
    this.socket?.close();
    this.socket = undefined;
  }

  private connect(): void {
    this.state = 'connecting';
    let socket: WireSocket | undefined;
    const isCurrent = (): boolean => socket !== undefined && this.socket === socket;
    try {
      socket = this.openSocket({
        open: () => {
          if (!isCurrent()) return;
          this.state = 'open';
          this.attempt = 0;
          for (const id of [...this.unsent.keys()]) this.send(id);
        },
        message: (data) => {
          if (isCurrent()) this.receive(data);
        },
        close: (reason) => {
          if (isCurrent()) this.dropped(reason);
        },
      });
    } catch (error) {
      // The WebSocket constructor throws for a malformed URL: treat it like a failed attempt.
      this.socket = undefined;
      this.dropped(error instanceof Error ? error.message : String(error));
      return;
    }
    this.socket = socket;
  }

  private send(id: number): void {
    const bytes = this.unsent.get(id);
    this.unsent.delete(id);
    if (bytes === undefined) return;
    try {
      this.socket?.send(bytes);
    } catch (error) {
      this.requests.reject(
        id,
        new RequestError('disconnected', `Could not send to Style Mirror: ${String(error)}`),
      );
    }
  }

  private receive(data: ArrayBuffer | Uint8Array): void {
    let message: unknown;
    try {
      message = decodeWire(data);
    } catch {
      return; // Not MessagePack: nothing we sent can be waiting for it.
    }
    if ((message as { t?: unknown } | null)?.t === 'event') {
      const event = parseMirrorEvent((message as { event?: unknown }).event);
      if (event !== undefined) for (const listener of [...this.eventListeners]) listener(event);
      return;
    }
    const reply = parseReply(message);
    if (reply !== undefined) this.requests.resolve(reply.id, reply.reply);
  }

  private dropped(reason: string): void {
    if (this.state === 'closed') return;
    this.socket = undefined;
    this.lastProblem = reason;
    this.failAll(`The connection to Style Mirror dropped (${reason}); reconnecting.`);
    this.state = 'waiting';
    const delay = reconnectDelay(this.attempt++);
    this.retryTimer = this.timers.setTimeout(() => {
      if (this.state === 'waiting') this.connect();
    }, delay);
  }

  private failAll(message: string): void {
    this.unsent.clear();
    this.requests.rejectAll(new RequestError('disconnected', message));
  }
}

function failure(code: string, message: string): WireReply {
  return { ok: false, error: { code, message } };
}

/** Checks a decoded server message: only well-formed replies reach a caller. */
function parseReply(message: unknown): { id: number; reply: WireReply } | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m['t'] !== 'reply' || typeof m['id'] !== 'number' || typeof m['ok'] !== 'boolean') return undefined;
  if (m['ok']) return { id: m['id'], reply: { ok: true, value: m['value'] } };
  const error = m['error'];
  const e = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  return {
    id: m['id'],
    reply: {
      ok: false,
      error: {
        message:
          typeof e['message'] === 'string' ? e['message'] : 'The server reported an error without a message.',
        ...(typeof e['code'] === 'string' ? { code: e['code'] } : {}),
        ...(typeof e['kind'] === 'string' ? { kind: e['kind'] } : {}),
      },
    },
  };
}
