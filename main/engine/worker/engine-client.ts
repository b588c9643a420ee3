import { Worker } from 'node:worker_threads';
import type {
  EngineCaller,
  EngineCalls,
  EngineError,
  EngineMethod,
  EngineReply,
} from '../../../common/engine-protocol.js';

/** An engine error re-thrown on the client side, with the worker's kind and code kept. */
export class EngineCallError extends Error {
  readonly kind: string;
  readonly code: string | undefined;

  constructor(error: EngineError) {
    super(error.message);
    this.name = error.kind;
    this.kind = error.kind;
    this.code = error.code;
  }
}

/**
 * Runs the engine in a Node worker thread and calls it with promises. Used by browser mode and tests;
 * the Electron app talks to the same worker script inside a utilityProcess instead.
 */
export class EngineClient implements EngineCaller {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private exitError: Error | undefined;
  private closing = false;
  private readonly exitListeners: ((error: Error) => void)[] = [];

  constructor(workerScript: URL = new URL('./engine-worker.js', import.meta.url)) {
    this.worker = new Worker(workerScript);
    this.worker.on('message', (reply: EngineReply) => {
      const call = this.pending.get(reply.id);
      if (call === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.value);
      else call.reject(new EngineCallError(reply.error));
    });
    const failAll = (error: Error): void => {
      // 'error' comes before 'exit' on a crash; keep the first, more telling reason.
      this.exitError ??= error;
      for (const call of this.pending.values()) call.reject(this.exitError);
      this.pending.clear();
    };
    this.worker.on('error', (error) => failAll(new Error(`The style engine crashed: ${error.message}`)));
    this.worker.on('exit', (code) => {
      failAll(new Error(`The style engine stopped (exit code ${code}).`));
      if (!this.closing) for (const listener of this.exitListeners) listener(this.exitError!);
    });
  }

  /** Called once if the worker ends without `close()`: a crash, or an out-of-memory kill. */
  onExit(listener: (error: Error) => void): void {
    this.exitListeners.push(listener);
  }

  call<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
    transfer: ArrayBuffer[] = [],
  ): Promise<EngineCalls[M]['result']> {
    if (this.exitError !== undefined) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, params }, transfer);
    });
  }

  /** Releases the model and ends the worker. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.exitError === undefined) await this.call('dispose', {}).catch(() => undefined);
    await this.worker.terminate();
  }
}
