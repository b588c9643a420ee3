/**
 * The engine's plain data types: what crosses a process or page boundary (the worker protocol, the
 * renderer's API). Kept apart from the code that produces them, which loads Node modules (sharp,
 * onnxruntime, tfjs), so that the renderer can type-check against them without Node's types. The one
 * import, `Frame`, comes from a module that imports nothing. The engine modules re-export these where
 * they were first defined.
 */
import type { Frame } from './frame.js';

/** The network engines Style Mirror can run a model on. */
export type BackendKind = 'ort' | 'tfjs';

/** What a user can ask for: a backend kind, or `auto` for the fastest that works here. */
export type BackendChoice = 'auto' | BackendKind;

/** The arithmetic a network runs in: float32, or int8 (onnxruntime's CPU provider only). */
export type Precision = 'fp32' | 'int8';

/** What a user can ask for: a precision, or `auto` for int8 where it is fast here and keeps quality. */
export type PrecisionChoice = 'auto' | Precision;

/** What really ran a network: reported to the user as-is (the HUD, `bench`, the CLI). */
export interface BackendInfo {
  readonly kind: BackendKind;
  /** The concrete runtime: an onnxruntime execution provider (`cpu`, `cuda`, `dml`, `coreml`) or a tfjs backend (`tensorflow`, `wasm`, `cpu`). */
  readonly runtime: string;
  /** The device in plain words, e.g. `CPU` or `GPU (CUDA)`. Never claims a GPU that is not in use. */
  readonly device: string;
  /** Why a faster runtime that was asked for or tried is not the one running, if so. */
  readonly fallbackReason?: string;
  readonly precision: Precision;
  /** Why this precision: as asked, or what `auto` found (the CPU's int8 instructions, the quality). */
  readonly precisionReason: string;
}

/** What the engine is running: shown in the HUD and printed by the CLI. */
export interface EngineStatus {
  readonly model: string;
  readonly backend: BackendInfo;
}

/** An error that crossed the worker boundary: plain data, never a thrown object. */
export interface EngineError {
  /** The error's class name (`ModelError`, `FrameError`, `Error`) and its code where it has one. */
  readonly kind: string;
  readonly code?: string;
  readonly message: string;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface StylizeOptions {
  /**
   * The most the network may work on: a frame bigger than this box is scaled down to fit it, keeping
   * its aspect ratio, and the result scaled back up. Smaller is faster and paints bolder strokes.
   * Never scales up. (The mirror's `processingSize` setting is another thing: the exact size the page
   * crops camera frames to before sending them, so they already fit.)
   */
  readonly maxNetworkSize?: Size;
  /** 0 shows the original, 1 the full style, between blends them. Default 1. */
  readonly strength?: number;
  /** Keep the original's colours and take only the style's light and dark. Default false. */
  readonly preserveColors?: boolean;
}

export interface StylizeTimings {
  /** Scaling down and converting the frame for the network. */
  readonly prepareMs: number;
  /** The network itself, on its backend. */
  readonly networkMs: number;
  /** Rendering, scaling back up, colour preservation and blending. */
  readonly finishMs: number;
  readonly totalMs: number;
}

export interface StylizeResult {
  /** Same size and channels as the input frame. */
  readonly frame: Frame;
  /** The size the network actually ran at. */
  readonly networkSize: Size;
  readonly timings: StylizeTimings;
}
