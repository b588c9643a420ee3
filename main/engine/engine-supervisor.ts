import {
  toEngineError,
  type EngineCaller,
  type EngineCalls,
  type EngineError,
  type EngineMethod,
} from '../../common/engine-protocol.js';
import {
  EngineCallError,
  engineErrorFrom,
  engineFailure,
  type EngineHealth,
} from '../../common/engine-errors.js';
import { RequestTracker, type OpenRequest } from '../../common/request-tracker.js';
import { realTimers, type Timers } from '../../common/timers.js';
import type { EngineLauncher, RunningEngine } from './engine-launcher.js';
import { nextRestartDelay } from './restart-policy.js';

/** How long each call may take once the engine is on it, in ms: a miss means the engine hung. */
export type EngineDeadlines = Record<EngineMethod, number>;

export const DEFAULT_DEADLINES_MS: EngineDeadlines = {
  // Reading a model and opening its network; `auto` also times both backends on a first run.
  loadModel: 60_000,
  thumbnail: 60_000,
  // The slowest real frame: tfjs wasm at 640x480 takes about 6 s on the 2-core development machine.
  stylize: 15_000,
  // Answered in the engine's turn (worker/serve-engine.ts), so it may wait for frames from the page's
  // frame port ahead of it: this is how main notices a frame that never ends in the Electron app.
  status: 30_000,
  // Quitting waits this long at most for the model to be released.
  dispose: 3_000,
};

/** Calls waiting at once (in the engine and for a restart) beyond which new ones are refused. */
export const DEFAULT_MAX_PENDING = 32;

export interface EngineSupervisorOptions {
  /** Per-method deadlines, over {@link DEFAULT_DEADLINES_MS}. */
  readonly deadlines?: Partial<EngineDeadlines>;
  /** Calls waiting at once beyond which calls fail with `engine-busy`; default {@link DEFAULT_MAX_PENDING}. */
  readonly maxPending?: number;
  readonly timers?: Timers;
  /** The clock for uptime (the restart backoff starts over after a stable run). */
  readonly now?: () => number;
  /** One line per crash, hang, restart and reload; default console.warn. */
  readonly log?: (message: string) => void;
}

type LoadParams = EngineCalls['loadModel']['params'];

interface WaitingCall {
  readonly method: EngineMethod;
  readonly params: unknown;
  readonly transfer: readonly ArrayBuffer[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** One launched engine; events from a run that is no longer current are ignored. */
interface Run {
  engine: RunningEngine | undefined;
}

/**
 * The style engine, kept running: the one supervisor of the Electron app (utilityProcess) and
 * browser mode (worker thread), given a launcher for either.
 *
 * - Calls get request ids and a deadline per method, counted from when the engine can start on them
 *   (it answers in order). A missed deadline means the engine hung: it is killed and restarted, and
 *   every call in it fails with code `engine-hung`.
 * - A crash fails every call in flight with code `engine-crashed` and restarts the engine.
 * - Restarts back off (1 s doubling to 30 s) and reload the last model that loaded before anything
 *   else is sent; `onRestart` listeners then hand the page a new frame port (Electron).
 * - Calls made while no engine runs wait for the next one; beyond `maxPending` waiting calls, new
 *   ones fail at once with `engine-busy`. `close` releases the model and fails the rest with
 *   `engine-stopped`.
 */
export class EngineSupervisor implements EngineCaller {
  private current: Run | undefined;
  private readonly calls: RequestTracker;
  private readonly waiting: WaitingCall[] = [];
  private lastLoad: LoadParams | undefined;
  private restartTimer: unknown;
  private startedAt = 0;
  private lastRestartDelay = 0;
  private closing: Promise<void> | undefined;
  private state: EngineHealth['state'] = 'idle';
  private restarts = 0;
  private lastError: EngineError | null = null;
  private readonly healthListeners = new Set<(health: EngineHealth) => void>();
  private readonly restartListeners = new Set<() => void>();
  private readonly deadlines: EngineDeadlines;
  private readonly maxPending: number;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly launcher: EngineLauncher,
    options: EngineSupervisorOptions = {},
  ) {
    this.deadlines = { ...DEFAULT_DEADLINES_MS, ...options.deadlines };
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.timers = options.timers ?? realTimers;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message) => console.warn(`style engine: ${message}`));
    this.calls = new RequestTracker({
      timers: this.timers,
      inOrder: true,
      onTimeout: (request) => this.hung(request),
    });
  }

  get health(): EngineHealth {
    return { state: this.state, restarts: this.restarts, lastError: this.lastError };
  }

  /** Calls `listener` with the new health at every change; returns the unsubscribe function. */
  onHealth(listener: (health: EngineHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  /** Calls `listener` after each restart, once the reload (if any) is on its way. */
  onRestart(listener: () => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /** Starts the engine (Electron can fork only after `ready`); calls made before wait for it. */
  start(): void {
    if (this.state === 'idle') this.launch();
  }

  call<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
    transfer: ArrayBuffer[] = [],
  ): Promise<EngineCalls[M]['result']> {
    if (this.closing !== undefined) return Promise.reject(stoppedError());
    if (this.calls.size + this.waiting.length >= this.maxPending) {
      return Promise.reject(
        engineFailure(
          'engine-busy',
          `The style engine already has ${this.maxPending} calls waiting; "${method}" was refused. Try again shortly.`,
        ),
      );
    }
    if (this.current?.engine === undefined) {
      return new Promise((resolve, reject) =>
        this.waiting.push({ method, params, transfer, resolve: resolve as (v: unknown) => void, reject }),
      );
    }
    return this.send(method, params, transfer);
  }

  /**
   * Releases the model (waiting at most the `dispose` deadline), ends the engine and fails every
   * call still waiting with `engine-stopped`. No restart follows. Calls already in the engine are
   * answered first: it works in order.
   */
  close(): Promise<void> {
    return (this.closing ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    this.timers.clearTimeout(this.restartTimer);
    const stopped = stoppedError();
    for (const call of this.waiting.splice(0)) call.reject(stopped);
    const run = this.current;
    if (run?.engine !== undefined) {
      await this.send('dispose', {}, []).catch(() => undefined);
      if (this.current === run) this.current = undefined;
      // A thread stuck in native code may never end; quitting must not wait for it forever.
      let timer: unknown;
      await Promise.race([
        run.engine.kill().catch(() => undefined),
        new Promise(
          (resolve) => (timer = this.timers.setTimeout(() => resolve(undefined), this.deadlines.dispose)),
        ),
      ]);
      this.timers.clearTimeout(timer);
    }
    this.calls.close(stopped);
    this.setState('stopped');
  }

  private send<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
    transfer: readonly ArrayBuffer[],
  ): Promise<EngineCalls[M]['result']> {
    const engine = this.current!.engine!;
    const timeoutMs = Object.hasOwn(this.deadlines, method) ? this.deadlines[method] : this.deadlines.status;
    const { id, reply } = this.calls.open<EngineCalls[M]['result']>({ label: `"${method}"`, timeoutMs });
    try {
      engine.post({ id, method, params }, transfer);
    } catch (error) {
      this.calls.reject(id, new Error(`Could not send "${method}" to the style engine: ${String(error)}`));
    }
    return reply.then((value) => {
      // Remember what to reload after a restart: only a model that actually loaded.
      if (method === 'loadModel') this.lastLoad = params as LoadParams;
      if (method === 'dispose') this.lastLoad = undefined;
      return value;
    });
  }

  private launch(): void {
    this.restartTimer = undefined;
    const restarting = this.state === 'recovering';
    const run: Run = { engine: undefined };
    this.current = run;
    try {
      run.engine = this.launcher.start({
        message: (message) => {
          if (this.current === run) this.receive(message);
        },
        exit: (reason) => {
          if (this.current === run) {
            this.down(
              engineFailure(
                'engine-crashed',
                `The style engine stopped unexpectedly (${reason}); it is restarting.`,
              ),
            );
          }
        },
      });
    } catch (error) {
      this.down(
        engineFailure('engine-crashed', `The style engine could not start: ${(error as Error).message}`),
      );
      return;
    }
    this.startedAt = this.now();
    if (restarting) this.restarts++;

    // The reload goes first, so calls that waited for the restart find the model in place.
    const model = this.lastLoad;
    if (model === undefined) {
      this.setState('running');
    } else {
      this.send('loadModel', model, []).then(
        (status) => {
          this.log(`reloaded ${status.model} on ${status.backend.kind}.`);
          if (this.current === run) this.setState('running');
        },
        (error: Error) => {
          this.log(`could not reload ${model.name ?? model.dir}: ${error.message}`);
          if (this.current !== run) return;
          this.lastError = toEngineError(error);
          this.setState('running');
        },
      );
    }
    for (const call of this.waiting.splice(0)) {
      this.send(call.method, call.params as never, call.transfer).then(call.resolve, call.reject);
    }
    if (restarting) for (const listener of this.restartListeners) listener();
  }

  private receive(message: unknown): void {
    // Our own worker's replies (serve-engine.ts): the id is all that needs checking.
    const reply = message as { id?: unknown; ok?: unknown; value?: unknown; error?: unknown } | null;
    if (typeof reply?.id !== 'number') return;
    if (reply.ok === true) this.calls.resolve(reply.id, reply.value);
    else this.calls.reject(reply.id, new EngineCallError(engineErrorFrom(reply.error)));
  }

  /** A call missed its deadline: the engine is stuck (a busy loop, a driver that never returns). */
  private hung(request: OpenRequest): Error {
    const error = engineFailure(
      'engine-hung',
      `The style engine did not answer ${request.label} within ${request.timeoutMs! / 1000} s; ` +
        (this.closing === undefined ? 'it is being restarted.' : 'it is being shut down.'),
    );
    this.down(error);
    return error;
  }

  /** The current engine is gone or must go: fail its calls, kill it, and schedule the next one. */
  private down(error: EngineCallError): void {
    const run = this.current;
    this.current = undefined;
    void run?.engine?.kill().catch(() => undefined);
    this.calls.rejectAll(error);
    if (this.closing !== undefined) return;
    const delay = nextRestartDelay(this.lastRestartDelay, this.now() - this.startedAt);
    this.lastRestartDelay = delay;
    this.lastError = toEngineError(error);
    this.log(`${error.message} Restarting in ${delay / 1000} s.`);
    this.setState('recovering', true);
    this.restartTimer = this.timers.setTimeout(() => this.launch(), delay);
  }

  private setState(state: EngineHealth['state'], changed = false): void {
    if (state === this.state && !changed) return;
    this.state = state;
    const health = this.health;
    for (const listener of this.healthListeners) listener(health);
  }
}

function stoppedError(): EngineCallError {
  return engineFailure('engine-stopped', 'The style engine has shut down.');
}
