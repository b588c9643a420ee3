import type { BackendInfo, BackendKind } from '../../../common/engine-types.js';
import type { Ml5Model } from '../model/ml5-model.js';

export type { BackendInfo, BackendKind } from '../../../common/engine-types.js';

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
