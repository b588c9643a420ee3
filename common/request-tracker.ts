import { realTimers, type Timers } from './timers.js';

/**
 * Why a request ended without its reply: its deadline passed (`timeout`), the other side went away
 * with it open (`disconnected`, for `rejectAll`), or the tracker was closed for good (`closed`).
 */
export type RequestErrorCode = 'timeout' | 'disconnected' | 'closed';

/** A request that got no reply, with a code to tell why without parsing the message. */
export class RequestError extends Error {
  override readonly name = 'RequestError';

  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** An open request, as the deadline hook sees it. */
export interface OpenRequest {
  readonly id: number;
  /** What was asked, for messages: e.g. `"stylize"`. */
  readonly label: string;
  readonly timeoutMs: number | undefined;
}

export interface RequestTrackerOptions {
  readonly timers?: Timers;
  /**
   * The other side answers in the order it was asked (one worker working through one queue): a
   * request's deadline then starts only when the request before it has been answered, because the
   * other side cannot start on it sooner. Without this, a frame queued behind a slow model load
   * would time out for the load's time, not its own. (A request without a deadline then holds back
   * the deadlines of those after it.)
   */
  readonly inOrder?: boolean;
  /**
   * Called when a request's deadline passes; returns the error it is rejected with (default: a
   * `RequestError` with code `timeout`). It may act on the timeout too: the engine supervisor kills
   * the engine and rejects everything else open from here.
   */
  readonly onTimeout?: (request: OpenRequest) => Error | undefined;
}

interface Entry extends OpenRequest {
  readonly resolve: (value: never) => void;
  readonly reject: (error: Error) => void;
  timer: unknown;
}

/**
 * Request ids and the calls waiting for their replies, for every client that talks to something
 * across a port (the engine, the browser-mode server, Chromium): `open` numbers a request and gives
 * the promise its reply settles, `resolve`/`reject` settle it by id, `rejectAll` fails everything
 * open (the other side is gone), `close` does that for good. Each request may have a deadline.
 * Replies to ids that are not open (late, duplicate, made up) are ignored and reported as such.
 */
export class RequestTracker<T = unknown> {
  private readonly requests = new Map<number, Entry>();
  private nextId = 1;
  private closedError: Error | undefined;
  private readonly timers: Timers;

  constructor(private readonly options: RequestTrackerOptions = {}) {
    this.timers = options.timers ?? realTimers;
  }

  /** How many requests await a reply. */
  get size(): number {
    return this.requests.size;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /**
   * A new request: its id, to send with it, and the promise its reply settles. After `close`, the
   * promise rejects at once with the close error.
   */
  open<R extends T = T>(request: { label: string; timeoutMs?: number }): { id: number; reply: Promise<R> } {
    const id = this.nextId++;
    if (this.closedError !== undefined) return { id, reply: Promise.reject(this.closedError) };
    const reply = new Promise<R>((resolve, reject) => {
      this.requests.set(id, {
        id,
        label: request.label,
        timeoutMs: request.timeoutMs,
        resolve: resolve as (value: never) => void,
        reject,
        timer: undefined,
      });
    });
    this.armDeadlines();
    return { id, reply };
  }

  /** Settles request `id` with its reply; false if no such request is open. */
  resolve(id: number, value: T): boolean {
    const entry = this.take(id);
    entry?.resolve(value as never);
    return entry !== undefined;
  }

  /** Fails request `id`; false if no such request is open. */
  reject(id: number, error: Error): boolean {
    const entry = this.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Fails every open request with `error` (the other side is gone); new requests may follow. */
  rejectAll(error: Error): void {
    const entries = [...this.requests.values()];
    this.requests.clear();
    for (const entry of entries) {
      this.timers.clearTimeout(entry.timer);
      entry.reject(error);
    }
  }

  /** Fails every open request and every later one with `error`. */
  close(error: Error = new RequestError('closed', 'The connection was closed.')): void {
    this.closedError ??= error;
    this.rejectAll(this.closedError);
  }

  private take(id: number): Entry | undefined {
    const entry = this.requests.get(id);
    if (entry === undefined) return undefined;
    this.requests.delete(id);
    this.timers.clearTimeout(entry.timer);
    this.armDeadlines();
    return entry;
  }

  /** Starts the clocks that should run now: every request's, or in order only the oldest one's. */
  private armDeadlines(): void {
    for (const entry of this.requests.values()) {
      if (entry.timer === undefined && entry.timeoutMs !== undefined) {
        entry.timer = this.timers.setTimeout(() => this.expire(entry), entry.timeoutMs);
      }
      if (this.options.inOrder === true) return;
    }
  }

  private expire(entry: Entry): void {
    if (this.requests.get(entry.id) !== entry) return;
    const error =
      this.options.onTimeout?.(entry) ??
      new RequestError('timeout', `No answer to ${entry.label} within ${seconds(entry.timeoutMs!)}.`);
    // The hook may have failed it already (with everything else); if not, fail it now.
    this.reject(entry.id, error);
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
