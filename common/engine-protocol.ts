// Types only from modules that load no Node code: the renderer type-checks against this file.
import type {
  BackendChoice,
  EngineError,
  EngineStatus,
  PrecisionChoice,
  StylizeOptions,
  StylizeResult,
} from './engine-types.js';
import type { Frame } from './frame.js';

export type { EngineError } from './engine-types.js';

/**
 * The engine worker's messages, each named once with its payload and reply. The worker runs in a Node
 * `worker_thread` (CLI, browser mode) or an Electron `utilityProcess` (the app); both speak this.
 */
export interface EngineCalls {
  /** `precision` defaults to fp32 (see `Engine.loadModel`). */
  loadModel: {
    params: { dir: string; backend: BackendChoice; name?: string; precision?: PrecisionChoice };
    result: EngineStatus;
  };
  stylize: { params: { frame: Frame; options?: StylizeOptions }; result: StylizeResult };
  /** A small frame stylized at full strength with the model in `dir`; the current model stays current. */
  thumbnail: { params: { dir: string; frame: Frame; name?: string }; result: Frame };
  status: { params: Record<string, never>; result: EngineStatus | null };
  dispose: { params: Record<string, never>; result: null };
}

export type EngineMethod = keyof EngineCalls;

export interface EngineRequest<M extends EngineMethod = EngineMethod> {
  readonly id: number;
  readonly method: M;
  readonly params: EngineCalls[M]['params'];
}

/** Replies never throw across the boundary: `{ ok, value }` or `{ ok: false, error }`. */
export type EngineReply<M extends EngineMethod = EngineMethod> =
  | { readonly id: number; readonly ok: true; readonly value: EngineCalls[M]['result'] }
  | { readonly id: number; readonly ok: false; readonly error: EngineError };

export function toEngineError(error: unknown): EngineError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { kind: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { kind: 'Error', message: String(error) };
}

/**
 * Something that answers engine calls: the engine supervisor (main/engine/engine-supervisor.ts, over
 * a worker thread in browser mode or a utilityProcess in Electron), or an in-process adapter in tests.
 */
export interface EngineCaller {
  call<M extends EngineMethod>(
    method: M,
    params: EngineCalls[M]['params'],
    transfer?: ArrayBuffer[],
  ): Promise<EngineCalls[M]['result']>;
}

/**
 * Electron only: main sends `{ type: ATTACH_FRAME_PORT }` with a MessagePort to the utilityProcess; the
 * engine then answers `stylize` on that port, and nothing else (the page's frames, never crossing main).
 */
export const ATTACH_FRAME_PORT = 'attach-frame-port';
