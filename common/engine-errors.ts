/**
 * How an engine call fails, on the caller's side: the engine's own errors re-thrown with their kind
 * and code, and the supervisor's, for calls the engine never answered. Shared by main (the
 * supervisor, the control handlers, browser mode) and the page (its frame port client), so a code
 * means the same everywhere.
 */
import type { EngineError } from './engine-types.js';

/** An engine error as a thrown Error: the engine's kind (`ModelError`, `FrameError`...) and code kept. */
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
 * An error as it arrived from across a port, checked: a string kind and message, and the code if it
 * is a string. Anything else becomes a plain `Error` saying the engine gave no usable message.
 */
export function engineErrorFrom(data: unknown): EngineError {
  const error = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  return {
    kind: typeof error['kind'] === 'string' ? error['kind'] : 'Error',
    message:
      typeof error['message'] === 'string' ? error['message'] : 'The style engine failed without a message.',
    ...(typeof error['code'] === 'string' ? { code: error['code'] } : {}),
  };
}

/**
 * Why the supervisor failed a call the engine did not answer:
 * - `engine-crashed`: the engine stopped (a crash, an out-of-memory kill) with the call in flight;
 * - `engine-hung`: a call missed its deadline; the engine was killed and restarts;
 * - `engine-busy`: too many calls already wait; refused at once, nothing was sent;
 * - `engine-stopped`: the supervisor was closed (the app is quitting).
 */
export type EngineFailureCode = 'engine-crashed' | 'engine-hung' | 'engine-busy' | 'engine-stopped';

const FAILURE_KINDS: Record<EngineFailureCode, string> = {
  'engine-crashed': 'EngineCrashed',
  'engine-hung': 'EngineHung',
  'engine-busy': 'EngineBusy',
  'engine-stopped': 'EngineStopped',
};

/** A supervisor's failure as a thrown error: kind `EngineHung` and code `engine-hung`, and so on. */
export function engineFailure(code: EngineFailureCode, message: string): EngineCallError {
  return new EngineCallError({ kind: FAILURE_KINDS[code], code, message });
}

/** What a UI can show about the supervised engine. */
export interface EngineHealth {
  /**
   * `idle` before it is started; `running`; `recovering` from a crash or hang until it runs again
   * with its model reloaded; `stopped` once closed.
   */
  readonly state: 'idle' | 'running' | 'recovering' | 'stopped';
  /** How many times the engine was restarted. */
  readonly restarts: number;
  /** The last crash or hang, or a model that failed to reload after one; null if none yet. */
  readonly lastError: EngineError | null;
}
