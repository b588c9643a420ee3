import { EngineCallError, EngineClient } from './engine-client.js';
import type { EngineCaller, EngineCalls, EngineMethod } from '../../../common/engine-protocol.js';
import { nextRestartDelay } from './restart-policy.js';

export interface SupervisedEngineOptions {
  /** Starts a worker; tests pass one that can be made to crash. */
  readonly start?: () => EngineClient;
  readonly log?: (message: string) => void;
  readonly now?: () => number;
}

/**
 * An engine worker that comes back by itself: when the worker dies (a crash, an out-of-memory kill),
 * calls in flight fail, a new worker starts after the shared backoff, and the last model loaded is
 * loaded again, so the mirror resumes without anyone touching the machine. Calls made while it
 * restarts wait for it rather than fail.
 */
export class SupervisedEngineClient implements EngineCaller {
  private client: EngineClient;
  private lastLoad: EngineCalls['loadModel']['params'] | undefined;
  private restarting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private startedAt = 0;
  private lastDelay = 0;
  private readonly startWorker: () => EngineClient;
  private readonly log: (message: string) => void;
  private readonly now: () => number;

  constructor(options: SupervisedEngineOptions = {}) {
    this.startWorker = options.start ?? (() => new EngineClient());
    this.log = options.log ?? ((message) => console.warn(`style engine: ${message}`));
    this.now = options.now ?? Date.now;
    this.client = this.launch();
  }

  async call<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
    transfer?: ArrayBuffer[],
  ): Promise<EngineCalls[M]['result']> {
    if (this.restarting !== undefined) await this.restarting;
    if (this.closed) {
      throw new EngineCallError({
        kind: 'EngineClosed',
        code: 'engine-closed',
        message: 'The style engine was shut down.',
      });
    }
    const result = await this.client.call(method, params, transfer);
    if (method === 'loadModel') this.lastLoad = params as EngineCalls['loadModel']['params'];
    if (method === 'dispose') this.lastLoad = undefined;
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    await this.client.close();
  }

  private launch(): EngineClient {
    const client = this.startWorker();
    this.startedAt = this.now();
    client.onExit((error) => this.scheduleRestart(error));
    return client;
  }

  private scheduleRestart(error: Error): void {
    if (this.closed) return;
    const delay = nextRestartDelay(this.lastDelay, this.now() - this.startedAt);
    this.lastDelay = delay;
    this.log(`${error.message} Restarting in ${delay / 1000} s.`);
    this.restarting = new Promise<void>((resolve) => {
      this.restartTimer = setTimeout(() => {
        this.client = this.launch();
        const reload = this.lastLoad;
        const reloaded =
          reload === undefined || this.closed
            ? Promise.resolve()
            : this.client.call('loadModel', reload).then(
                () => this.log(`restarted with model ${reload.name ?? reload.dir}.`),
                (reloadError: Error) =>
                  this.log(`restarted, but reloading the model failed: ${reloadError.message}`),
              );
        void reloaded.then(() => {
          this.restarting = undefined;
          resolve();
        });
      }, delay);
    });
  }
}
