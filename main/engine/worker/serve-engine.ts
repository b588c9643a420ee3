import type { Engine } from '../engine.js';
import {
  toEngineError,
  type EngineCalls,
  type EngineMethod,
  type EngineReply,
  type EngineRequest,
} from '../../../common/engine-protocol.js';

/** The two things the loop needs from a port, whatever kind of port it is. */
export interface MessagePortLike {
  onMessage(listener: (message: unknown) => void): void;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

type Handlers = {
  [M in EngineMethod]: (params: EngineCalls[M]['params']) => Promise<EngineCalls[M]['result']>;
};

/**
 * Takes an engine's requests one at a time, whichever port they came from: the network is
 * single-stream, and a model switch must never release a network that a frame is still running on.
 * Every port of one engine shares one.
 */
export class EngineTurns {
  private last: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.last.then(task);
    this.last = result.catch(() => undefined);
    return result;
  }
}

export interface ServeEngineOptions {
  /** The queue shared with the engine's other ports; default one of this port's own. */
  readonly turns?: EngineTurns;
  /**
   * The methods this port may call; others are answered with code `forbidden` and never reach the
   * engine. Default: all. The page's frame port gets only `stylize`.
   */
  readonly allow?: readonly EngineMethod[];
}

/**
 * Answers engine requests arriving on `port`, one reply per request id. Requests run one at a time in
 * arrival order (with those of the engine's other ports, through `turns`), status included: a status
 * that waits for a frame stuck in the engine goes unanswered, which is how the supervisor notices.
 * Ordering also keeps a model switch between two frames exactly between them. A failing request
 * answers `{ ok: false }` and leaves the engine as it was.
 */
export function serveEngine(engine: Engine, port: MessagePortLike, options: ServeEngineOptions = {}): void {
  const handlers: Handlers = {
    loadModel: ({ dir, backend, name, precision }) => engine.loadModel(dir, backend, name, precision),
    stylize: ({ frame, options }) => engine.stylize(frame, options),
    thumbnail: ({ dir, frame, name }) => engine.thumbnail(dir, frame, name),
    status: async () => engine.status ?? null,
    dispose: async () => {
      await engine.dispose();
      return null;
    },
  };
  const allowed = options.allow === undefined ? undefined : new Set<unknown>(options.allow);
  const turns = options.turns ?? new EngineTurns();

  port.onMessage((message) => {
    // A reply that fails to post must not wedge the queue: later requests still get answers.
    turns.run(() => handle(message)).catch(() => undefined);
  });

  async function handle(message: unknown): Promise<void> {
    const request = message as Partial<EngineRequest>;
    const id = typeof request?.id === 'number' ? request.id : -1;
    let reply: EngineReply;
    try {
      if (allowed !== undefined && !allowed.has(request?.method)) throw forbidden(request?.method, allowed);
      if (typeof request?.method !== 'string' || !Object.hasOwn(handlers, request.method)) {
        throw new Error(`Unknown engine request ${JSON.stringify(request?.method)}.`);
      }
      const handler = handlers[request.method] as (params: unknown) => Promise<unknown>;
      reply = { id, ok: true, value: (await handler(request.params ?? {})) as never };
    } catch (error) {
      reply = { id, ok: false, error: toEngineError(error) };
    }
    // Stylized pixels move, not copy: the worker has no further use for them.
    const transfer = reply.ok ? [transferable(request.method, reply.value)] : [];
    port.postMessage(
      reply,
      transfer.filter((b): b is ArrayBuffer => b !== undefined),
    );
  }
}

/** The pixel buffer of a reply that carries a frame: a stylize result's frame, or a thumbnail. */
function transferable(method: unknown, value: unknown): ArrayBuffer | undefined {
  const pixels =
    method === 'stylize'
      ? (value as { frame?: { data?: Uint8Array } }).frame?.data
      : method === 'thumbnail'
        ? (value as { data?: Uint8Array }).data
        : undefined;
  const buffer = pixels?.buffer;
  return buffer instanceof ArrayBuffer ? buffer : undefined;
}

/** The refusal of a method this port may not call: said plainly, and never near the engine. */
function forbidden(method: unknown, allowed: ReadonlySet<unknown>): Error {
  const permitted = [...allowed].map((m) => JSON.stringify(m)).join(', ');
  return Object.assign(
    new Error(
      `${typeof method === 'string' ? JSON.stringify(method.slice(0, 64)) : 'A request without a method name'} ` +
        `is not allowed on this port; it carries only ${permitted}.`,
    ),
    { name: 'Forbidden', code: 'forbidden' },
  );
}
