import type { Engine } from '../engine.js';
import {
  toEngineError,
  type EngineCalls,
  type EngineMethod,
  type EngineReply,
  type EngineRequest,
} from './protocol.js';

/** The two things the loop needs from a port, whatever kind of port it is. */
export interface MessagePortLike {
  onMessage(listener: (message: unknown) => void): void;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

type Handlers = {
  [M in EngineMethod]: (params: EngineCalls[M]['params']) => Promise<EngineCalls[M]['result']>;
};

/**
 * Answers engine requests arriving on `port`, one reply per request id. Requests run one at a time in
 * arrival order: the network is single-stream, and ordering keeps a model switch between two frames
 * exactly between them. A failing request answers `{ ok: false }` and leaves the engine as it was.
 */
export function serveEngine(engine: Engine, port: MessagePortLike): void {
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

  let queue: Promise<void> = Promise.resolve();
  port.onMessage((message) => {
    // A reply that fails to post must not wedge the queue: later requests still get answers.
    queue = queue.then(() => handle(message)).catch(() => undefined);
  });

  async function handle(message: unknown): Promise<void> {
    const request = message as Partial<EngineRequest>;
    const id = typeof request?.id === 'number' ? request.id : -1;
    let reply: EngineReply;
    try {
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
