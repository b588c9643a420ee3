import { Engine } from '../../main/engine/engine.js';
import { EngineCallError } from '../../main/engine/worker/engine-client.js';
import type { EngineCaller, EngineReply } from '../../common/engine-protocol.js';
import { serveEngine } from '../../main/engine/worker/serve-engine.js';

/**
 * A real engine behind the real worker protocol, in this thread: requests and replies go through
 * `serveEngine` exactly as they do in a worker, errors come back as `EngineCallError`s as
 * `EngineClient` gives them, only without the thread.
 */
export function inProcessEngine(engine = new Engine()): EngineCaller & { engine: Engine } {
  let deliver: ((message: unknown) => void) | undefined;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  serveEngine(engine, {
    onMessage: (listener) => {
      deliver = listener;
    },
    postMessage: (message) => {
      const reply = message as EngineReply;
      const call = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.ok) call?.resolve(reply.value);
      else call?.reject(new EngineCallError(reply.error));
    },
  });
  let nextId = 1;
  return {
    engine,
    call: (method, params) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        deliver!({ id, method, params });
      }),
  };
}
