/**
 * The engine worker thread's own numbers, read through this process's inspector: its V8 heap and, where
 * tfjs runs, its live tensor count. The engine protocol has no call for either, and none is added for a
 * measuring tool: the inspector's NodeWorker domain reaches a worker thread's V8 from outside it, with
 * no code in the worker and no port opened (an in-process session). The thread's native memory
 * (onnxruntime's arenas, model weights) has no separate number: it is part of the process's RSS.
 */
import { Session } from 'node:inspector/promises';

export interface EngineThreadReading {
  /** The worker's V8 heap in use, in bytes. */
  readonly heapUsedBytes: number;
  /** tfjs's live tensors in the worker (`tf.memory().numTensors`), or null when tfjs-core is not loaded there. */
  readonly tfTensors: number | null;
}

interface WorkerReply {
  readonly id: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
}

/** tfjs-core keeps its engine on the global object under this name (tfjs-core's engine.ts). */
const TF_TENSORS = 'globalThis._tfengine?.state?.numTensors ?? null';

/** Longest wait for the worker's answer: it answers between two of its own tasks, a frame or a model load. */
const REPLY_TIMEOUT_MS = 5000;

/** Watches the engine worker threads of this process (a restarted worker is followed too). */
export class EngineThreadProbe {
  private readonly session = new Session();
  /** The inspector session of the newest worker whose script is the engine's. */
  private workerSession: string | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: WorkerReply) => void>();

  /** @param isEngineScript tells the engine's worker from others by its script URL. */
  constructor(private readonly isEngineScript: (url: string) => boolean) {}

  async start(): Promise<void> {
    this.session.connect();
    this.session.on('NodeWorker.attachedToWorker', (message) => {
      const { sessionId, workerInfo } = message.params;
      if (this.isEngineScript(workerInfo.url)) this.workerSession = sessionId;
    });
    this.session.on('NodeWorker.detachedFromWorker', (message) => {
      if (message.params.sessionId === this.workerSession) this.workerSession = undefined;
    });
    this.session.on('NodeWorker.receivedMessageFromWorker', (message) => {
      const reply = JSON.parse(message.params.message) as WorkerReply;
      if (reply.id === undefined) return; // An event, none of which is enabled.
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    // Attaches to the workers running now and to each one started later; none is paused at its start.
    await this.session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  }

  /** The engine thread's heap and tensors now, or null while there is no engine thread (or it does not answer). */
  async read(): Promise<EngineThreadReading | null> {
    const sessionId = this.workerSession;
    if (sessionId === undefined) return null;
    try {
      const [heap, tensors] = await Promise.all([
        this.ask(sessionId, 'Runtime.getHeapUsage', {}),
        this.ask(sessionId, 'Runtime.evaluate', { expression: TF_TENSORS, returnByValue: true }),
      ]);
      const value = (tensors.result as { value?: unknown } | undefined)?.value;
      return {
        heapUsedBytes: heap.usedSize as number,
        tfTensors: typeof value === 'number' ? value : null,
      };
    } catch {
      return null;
    }
  }

  close(): void {
    this.session.disconnect();
  }

  private ask(sessionId: string, method: string, params: object): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`The engine thread did not answer ${method}.`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error !== undefined) reject(new Error(reply.error.message));
        else resolve(reply.result ?? {});
      });
      this.session
        .post('NodeWorker.sendMessageToWorker', {
          sessionId,
          message: JSON.stringify({ id, method, params }),
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  }
}
