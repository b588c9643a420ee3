import type { ControlApi } from './control-api.js';
import type { EngineError, StylizeOptions, StylizeResult } from './engine-types.js';
import type { Frame } from './frame.js';
import type { Result } from './contract.js';
import type { MirrorEventListener } from './mirror-events.js';

/**
 * Everything the renderer can ask of the app. The renderer knows only this interface: in Electron the
 * preload's named API and a frame port stand behind it, in browser mode a WebSocket. The control part
 * is the channel table's ({@link ControlApi}); every method resolves to a `Result`, none rejects for
 * an expected failure.
 */
export interface MirrorApi extends ControlApi {
  /** `electron` can open folders and go fullscreen natively; `browser` cannot. */
  readonly transport: 'electron' | 'browser';

  /**
   * The frame path: one frame to the engine, its stylized result back. Frames never queue here: the
   * renderer's scheduler decides what to send (latest frame wins).
   */
  stylize(frame: Frame, options: StylizeOptions): Promise<Result<StylizeResult, EngineError>>;

  /** Calls `listener` with every event main pushes (a remote control's verbs); returns the unsubscribe. */
  onEvent(listener: MirrorEventListener): () => void;
}
