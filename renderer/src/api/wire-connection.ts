import { decodeWire, encodeWire, type ClientMessage } from '../../../common/wire.js';
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

interface Pending {
  readonly resolve: (reply: WireReply) => void;
  /** Encoded, waiting for the socket to open; undefined once sent. */
  bytes: Uint8Array | undefined;
}

/**
 * One WebSocket to the browser-mode server, kept open: requests get ids and their replies find them;
 * when the socket drops, every pending request resolves `{ ok: false }` at once (nothing hangs) and
 * the connection reconnects with capped exponential backoff.
 *
 * Requests made while a socket is opening wait for it; requests made while there is none (between
 * attempts) fail at once, so the frame pump is told immediately and retries on its own schedule.
 */
export class WireConnection {
  private state: State = 'connecting';
  private socket: WireSocket | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private attempt = 0;
  private retryTimer: unknown;
  private lastProblem = 'Connecting to Style Mirror…';

  constructor(
    private readonly openSocket: OpenWireSocket,
    private readonly timers: Timers = realTimers,
  ) {
    this.connect();
  }

  /** Whether a socket is open now. */
  get connected(): boolean {
    return this.state === 'open';
  }

  /** Sends `message` and resolves with its reply, or `{ ok: false }` if the connection fails first. */
  request(message: OutgoingMessage): Promise<WireReply> {
    if (this.state === 'closed' || this.state === 'waiting') {
      return Promise.resolve(failure('disconnected', `Not connected to Style Mirror: ${this.lastProblem}`));
    }
    const id = this.nextId++;
    let bytes: Uint8Array;
    try {
      bytes = encodeWire({ ...message, id } as ClientMessage);
    } catch (error) {
      return Promise.resolve(failure('invalid-request', `Could not encode the request: ${String(error)}`));
    }
    return new Promise((resolve) => {
      const entry: Pending = { resolve, bytes };
      this.pending.set(id, entry);
      if (this.state === 'open') this.send(id, entry);
    });
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
          for (const [id, entry] of this.pending) if (entry.bytes !== undefined) this.send(id, entry);
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

  private send(id: number, entry: Pending): void {
    const bytes = entry.bytes;
    entry.bytes = undefined;
    if (bytes === undefined) return;
    try {
      this.socket?.send(bytes);
    } catch (error) {
      this.pending.delete(id);
      entry.resolve(failure('disconnected', `Could not send to Style Mirror: ${String(error)}`));
    }
  }

  private receive(data: ArrayBuffer | Uint8Array): void {
    let message: unknown;
    try {
      message = decodeWire(data);
    } catch {
      return; // Not MessagePack: nothing we sent can be waiting for it.
    }
    const reply = parseReply(message);
    if (reply === undefined) return;
    const entry = this.pending.get(reply.id);
    if (entry === undefined) return;
    this.pending.delete(reply.id);
    entry.resolve(reply.reply);
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
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.resolve(failure('disconnected', message));
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
