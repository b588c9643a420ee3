import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import { EngineCallError } from '../engine/worker/engine-client.js';
import { nextRestartDelay } from '../engine/worker/restart-policy.js';
import {
  ATTACH_FRAME_PORT,
  type EngineCaller,
  type EngineCalls,
  type EngineMethod,
  type EngineReply,
} from '../../common/engine-protocol.js';

/** The message that hands the engine a frame port (see engine-worker.ts). */

export {
  FIRST_RESTART_DELAY_MS,
  MAX_RESTART_DELAY_MS,
  STABLE_UPTIME_MS,
} from '../engine/worker/restart-policy.js';
/** How long quitting waits for the engine to release its model before ending the process. */
const DISPOSE_TIMEOUT_MS = 3_000;

export interface EngineProcessOptions {
  /** The built engine-worker.js. */
  readonly workerPath: string;
  /**
   * Called once a crashed engine runs again, its last model reloading: the frame ports of the dead
   * process are gone, so whoever holds the window should hand it a fresh one (`openFramePort`).
   */
  readonly onRestart?: () => void;
  readonly log?: (message: string) => void;
  /** The clock, for tests. */
  readonly now?: () => number;
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

type Outgoing = { readonly message: unknown; readonly ports: MessagePortMain[] };

/**
 * The style engine in an Electron utilityProcess, supervised: calls go over the process's parent
 * port with request ids (the same messages as `EngineClient`'s worker thread); frames never pass
 * through here, they travel on a `MessageChannelMain` port straight from the window to the engine.
 *
 * When the process dies unexpectedly, calls in flight are rejected (code `engine-crashed`), and the
 * process restarts after a backoff, reloads the last model it had loaded, and `onRestart` fires so the
 * window gets a new frame port. Calls made while it is down wait for the new process.
 */
export class EngineProcess implements EngineCaller {
  private child: UtilityProcess | undefined;
  private readonly pending = new Map<number, PendingCall>();
  /** Messages sent while no process runs: they go to the next one, in order. */
  private readonly waiting: Outgoing[] = [];
  private nextId = 1;
  private startedAt = 0;
  private lastRestartDelay = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private lastModel: EngineCalls['loadModel']['params'] | undefined;
  /** Set by `dispose`: no more restarts, and no calls but the final `dispose`. */
  private stopping = false;
  private readonly log: (message: string) => void;
  private readonly now: () => number;

  constructor(private readonly options: EngineProcessOptions) {
    this.log = options.log ?? ((message) => console.log(`Style Mirror engine: ${message}`));
    this.now = options.now ?? Date.now;
  }

  /** Starts the engine process. `utilityProcess.fork` works only after the app's `ready` event. */
  start(): void {
    if (this.child !== undefined || this.stopping) return;
    this.launch();
    this.flushWaiting();
  }

  /**
   * Calls the engine. Pixels are copied, not transferred: a utilityProcess's ports move only
   * MessagePorts, and control calls carry no frames larger than a thumbnail anyway.
   */
  call<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
    _transfer?: ArrayBuffer[],
  ): Promise<EngineCalls[M]['result']> {
    if (this.stopping) return Promise.reject(shutDownError());
    return this.request(method, params);
  }

  /**
   * A new frame channel: one end goes to the engine (now, or to the next process if it is
   * restarting), the other is returned for the window. Each page load needs its own, since a page's
   * ports die with it.
   */
  openFramePort(): MessagePortMain {
    if (this.stopping) throw shutDownError();
    const { port1, port2 } = new MessageChannelMain();
    this.send({ type: ATTACH_FRAME_PORT }, [port1]);
    return port2;
  }

  /** Releases the model (bounded wait), then ends the process; no restart follows. */
  async dispose(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (child !== undefined) {
      await withTimeout(this.request('dispose', {}), DISPOSE_TIMEOUT_MS).catch(() => undefined);
      this.child = undefined;
      child.kill();
    }
    this.failPending(shutDownError());
    for (const { ports } of this.waiting.splice(0)) for (const port of ports) port.close();
  }

  private request<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
  ): Promise<EngineCalls[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (value) => {
          // Remember what to reload after a crash: only a model that actually loaded.
          if (method === 'loadModel') this.lastModel = params as EngineCalls['loadModel']['params'];
          resolve(value as EngineCalls[M]['result']);
        },
        reject,
      });
      this.send({ id, method, params }, []);
    });
  }

  private send(message: unknown, ports: MessagePortMain[]): void {
    if (this.child === undefined) this.waiting.push({ message, ports });
    else this.child.postMessage(message, ports);
  }

  private flushWaiting(): void {
    for (const { message, ports } of this.waiting.splice(0)) this.send(message, ports);
  }

  private launch(): void {
    const child = utilityProcess.fork(this.options.workerPath, [], { serviceName: 'Style Mirror engine' });
    this.child = child;
    this.startedAt = this.now();
    child.on('message', (message: unknown) => this.onReply(message));
    child.on('error', (type, location) => this.log(`fatal error (${type}) at ${location}`));
    child.once('exit', (code) => this.onExit(child, code));
  }

  private onReply(message: unknown): void {
    // Our own worker's replies (serve-engine.ts): the id is all that needs checking.
    const reply = message as EngineReply | null;
    if (typeof reply?.id !== 'number') return;
    const call = this.pending.get(reply.id);
    if (call === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) call.resolve(reply.value);
    else call.reject(new EngineCallError(reply.error));
  }

  private onExit(child: UtilityProcess, code: number): void {
    if (child !== this.child) return; // An old process, already replaced or disposed.
    this.child = undefined;
    if (this.stopping) {
      this.failPending(shutDownError());
      return;
    }
    this.failPending(
      new EngineCallError({
        kind: 'EngineCrashed',
        code: 'engine-crashed',
        message: `The style engine stopped unexpectedly (exit code ${code}); it is restarting.`,
      }),
    );
    const delay = nextRestartDelay(this.lastRestartDelay, this.now() - this.startedAt);
    this.lastRestartDelay = delay;
    this.log(`process exited with code ${code}; restarting in ${delay / 1000} s.`);
    this.restartTimer = setTimeout(() => this.restart(), delay);
  }

  private restart(): void {
    this.restartTimer = undefined;
    if (this.stopping) return;
    this.launch();
    // The reload goes first, so calls that waited for the restart find the model in place.
    const model = this.lastModel;
    if (model !== undefined) {
      this.request('loadModel', model).then(
        (status) => this.log(`reloaded ${status.model} on ${status.backend.kind}.`),
        (error: unknown) => this.log(`could not reload ${model.dir}: ${String(error)}`),
      );
    }
    this.flushWaiting();
    this.options.onRestart?.();
  }

  private failPending(error: Error): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
  }
}

function shutDownError(): Error {
  return new EngineCallError({
    kind: 'EngineStopped',
    code: 'engine-stopped',
    message: 'The style engine has shut down.',
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
