import type { Result } from '../../../common/contract.js';
import type { Frame } from '../../../common/frame.js';
import type { EngineError, StylizeOptions, StylizeResult } from '../../../common/engine-types.js';
import type { EngineRequest } from '../../../common/engine-protocol.js';
import { engineFailure } from './api-errors.js';
import { asByteFrame, transferList } from './frame-data.js';

/** What the client needs from the engine's frame port; `electron-frame-port.ts` adapts a MessagePort. */
export interface FramePort {
  postMessage(request: EngineRequest<'stylize'>, transfer: ArrayBuffer[]): void;
  /** Starts delivering the engine's replies to `onReply`. */
  listen(onReply: (data: unknown) => void): void;
  close(): void;
}

type Settle = (result: Result<StylizeResult, EngineError>) => void;

/**
 * Sends frames to the engine over the port Electron hands the page, in the engine worker's own
 * protocol, and matches replies to requests by id. It offers the pixel buffers for transfer; the
 * port adapter decides whether it can take them (Electron's cannot: see electron-frame-port.ts).
 *
 * The engine can restart (a crash, a backend change); main then hands over a new port. Frames pending
 * on the old one will never be answered: they fail at once, and new frames go to the new port.
 */
export class FramePortClient {
  private port: FramePort | undefined;
  private readonly pending = new Map<number, Settle>();
  private nextId = 1;

  /** Whether a port has arrived. */
  get connected(): boolean {
    return this.port !== undefined;
  }

  /** Switches to `port`, failing every frame still waiting on the previous one. */
  attach(port: FramePort): void {
    const previous = this.port;
    this.port = port;
    this.failAll('The style engine restarted; this frame was lost.');
    if (previous !== undefined && previous !== port) previous.close();
    port.listen((data) => this.receive(port, data));
  }

  stylize(frame: Frame, options: StylizeOptions): Promise<Result<StylizeResult, EngineError>> {
    const port = this.port;
    if (port === undefined) {
      return Promise.resolve(engineFailure('EngineUnavailable', 'The style engine is not connected yet.'));
    }
    const id = this.nextId++;
    const bytes = asByteFrame(frame);
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      try {
        port.postMessage({ id, method: 'stylize', params: { frame: bytes, options } }, transferList(bytes));
      } catch (error) {
        // A closed port or an already-moved buffer: this frame cannot go, the next one may.
        this.pending.delete(id);
        resolve(
          engineFailure('EngineUnavailable', `Could not send a frame to the style engine: ${String(error)}`),
        );
      }
    });
  }

  private receive(port: FramePort, data: unknown): void {
    if (port !== this.port || typeof data !== 'object' || data === null) return;
    const reply = data as Record<string, unknown>;
    if (typeof reply['id'] !== 'number' || typeof reply['ok'] !== 'boolean') return;
    const settle = this.pending.get(reply['id']);
    if (settle === undefined) return;
    this.pending.delete(reply['id']);
    if (reply['ok']) {
      settle({ ok: true, value: reply['value'] as StylizeResult });
      return;
    }
    const error = reply['error'] as Partial<EngineError> | undefined;
    settle({
      ok: false,
      error: {
        kind: typeof error?.kind === 'string' ? error.kind : 'Error',
        message:
          typeof error?.message === 'string' ? error.message : 'The style engine failed without a message.',
        ...(typeof error?.code === 'string' ? { code: error.code } : {}),
      },
    });
  }

  private failAll(message: string): void {
    const settles = [...this.pending.values()];
    this.pending.clear();
    for (const settle of settles) settle(engineFailure('EngineRestarted', message));
  }
}
