import type { Result } from '../../../common/contract.js';
import type { Frame } from '../../../common/frame.js';
import type { EngineError, StylizeOptions, StylizeResult } from '../../../common/engine-types.js';
import { toEngineError, type EngineRequest } from '../../../common/engine-protocol.js';
import { EngineCallError, engineErrorFrom } from '../../../common/engine-errors.js';
import { RequestTracker } from '../../../common/request-tracker.js';
import { realTimers, type Timers } from '../../../common/timers.js';
import { engineFailure } from './api-errors.js';
import { asByteFrame, transferList } from './frame-data.js';

/** What the client needs from the engine's frame port; `electron-frame-port.ts` adapts a MessagePort. */
export interface FramePort {
  postMessage(request: EngineRequest<'stylize'>, transfer: ArrayBuffer[]): void;
  /** Starts delivering the engine's replies to `onReply`. */
  listen(onReply: (data: unknown) => void): void;
  close(): void;
}

/**
 * How long the page waits for a frame once the engine can start on it: well past the slowest real
 * frame (tfjs wasm at 640x480, about 6 s on a 2-core machine). Past it the engine is stuck: the frame
 * fails, the page shows why and asks main for the engine's status, which lets main's supervisor
 * notice the hang and restart the engine, instead of the page showing "busy" forever.
 */
export const FRAME_DEADLINE_MS = 20_000;

/**
 * Sends frames to the engine over the port Electron hands the page, in the engine worker's own
 * protocol, and matches replies to requests by id. It offers the pixel buffers for transfer; the
 * port adapter decides whether it can take them (Electron's cannot: see electron-frame-port.ts).
 *
 * The engine can restart (a crash, a hang, a backend change); main then hands over a new port.
 * Frames pending on the old one will never be answered: they fail at once, and new frames go to the
 * new port. A frame the engine does not answer within {@link FRAME_DEADLINE_MS} fails too.
 */
export class FramePortClient {
  private port: FramePort | undefined;
  private readonly frames: RequestTracker<StylizeResult>;

  constructor(
    timers: Timers = realTimers,
    private readonly deadlineMs = FRAME_DEADLINE_MS,
  ) {
    // The engine answers one port's frames in order.
    this.frames = new RequestTracker({ timers, inOrder: true });
  }

  /** Whether a port has arrived. */
  get connected(): boolean {
    return this.port !== undefined;
  }

  /** Switches to `port`, failing every frame still waiting on the previous one. */
  attach(port: FramePort): void {
    const previous = this.port;
    this.port = port;
    this.frames.rejectAll(
      new EngineCallError({
        kind: 'EngineRestarted',
        message: 'The style engine restarted; this frame was lost.',
      }),
    );
    if (previous !== undefined && previous !== port) previous.close();
    port.listen((data) => this.receive(port, data));
  }

  async stylize(frame: Frame, options: StylizeOptions): Promise<Result<StylizeResult, EngineError>> {
    const port = this.port;
    if (port === undefined) {
      return engineFailure('EngineUnavailable', 'The style engine is not connected yet.');
    }
    const { id, reply } = this.frames.open({ label: 'this frame', timeoutMs: this.deadlineMs });
    const bytes = asByteFrame(frame);
    try {
      port.postMessage({ id, method: 'stylize', params: { frame: bytes, options } }, transferList(bytes));
    } catch (error) {
      // A closed port or an already-moved buffer: this frame cannot go, the next one may.
      this.frames.reject(
        id,
        new EngineCallError({
          kind: 'EngineUnavailable',
          message: `Could not send a frame to the style engine: ${String(error)}`,
        }),
      );
    }
    try {
      return { ok: true, value: await reply };
    } catch (error) {
      return { ok: false, error: toEngineError(error) };
    }
  }

  private receive(port: FramePort, data: unknown): void {
    if (port !== this.port || typeof data !== 'object' || data === null) return;
    const reply = data as Record<string, unknown>;
    if (typeof reply['id'] !== 'number' || typeof reply['ok'] !== 'boolean') return;
    if (reply['ok']) this.frames.resolve(reply['id'], reply['value'] as StylizeResult);
    else this.frames.reject(reply['id'], new EngineCallError(engineErrorFrom(reply['error'])));
  }
}
