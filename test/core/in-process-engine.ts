import { Engine } from '../../main/engine/engine.js';
import { EngineCallError, engineErrorFrom } from '../../common/engine-errors.js';
import type { EngineCaller, EngineReply } from '../../common/engine-protocol.js';
import { RequestTracker } from '../../common/request-tracker.js';
import { serveEngine } from '../../main/engine/worker/serve-engine.js';

/**
 * A real engine behind the real worker protocol, in this thread: requests and replies go through
 * `serveEngine` exactly as they do in a worker, errors come back as `EngineCallError`s as the
 * supervisor gives them, only without the thread.
 */
export function inProcessEngine(engine = new Engine()): EngineCaller & { engine: Engine } {
  let deliver: ((message: unknown) => void) | undefined;
  const requests = new RequestTracker();
  serveEngine(engine, {
    onMessage: (listener) => {
      deliver = listener;
    },
    postMessage: (message) => {
      const reply = message as EngineReply;
      if (reply.ok) requests.resolve(reply.id, reply.value);
      else requests.reject(reply.id, new EngineCallError(engineErrorFrom(reply.error)));
    },
  });
  return {
    engine,
    call: <M extends Parameters<EngineCaller['call']>[0]>(
      method: M,
      params: Parameters<EngineCaller['call']>[1],
    ) => {
      const { id, reply } = requests.open({ label: method });
      deliver!({ id, method, params });
      return reply as never;
    },
  };
}
