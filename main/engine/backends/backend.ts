import type { Ml5Model } from '../model/ml5-model.js';

/** The network engines Style Mirror can run a model on. */
export type BackendKind = 'ort' | 'tfjs';

/** What really ran a network: reported to the user as-is (the HUD, `bench`, the CLI). */
export interface BackendInfo {
  readonly kind: BackendKind;
  /** The concrete runtime: an onnxruntime execution provider (`cpu`, `cuda`, `dml`, `coreml`) or a tfjs backend (`tensorflow`, `wasm`, `cpu`). */
  readonly runtime: string;
  /** The device in plain words, e.g. `CPU` or `GPU (CUDA)`. Never claims a GPU that is not in use. */
  readonly device: string;
  /** Why a faster runtime that was asked for or tried is not the one running, if so. */
  readonly fallbackReason?: string;
}

/** An image for the network: RGB float32 in 0..255, height x width x 3 (HWC), no normalisation. */
export interface NetworkImage {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
}

/**
 * A model loaded on a backend. `run` returns the network's raw output: `150 * tanh(x) + 127.5`,
 * unclipped, HWC RGB, `4 * ceil(side / 4)` on each side (see `networkOutputSize`).
 */
export interface LoadedNetwork {
  readonly info: BackendInfo;
  run(image: NetworkImage): Promise<NetworkImage>;
  /** Frees everything the model holds on the backend. Safe to call twice. */
  dispose(): Promise<void>;
}

/** A runtime that can load ml5 models. One per backend kind. */
export interface NetworkBackend {
  readonly kind: BackendKind;
  /** Loads `model`; rejects with an `Error` that says what failed. Holds nothing if it rejects. */
  load(model: Ml5Model): Promise<LoadedNetwork>;
}
