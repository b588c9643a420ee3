import type { BackendInfo, BackendKind } from '../../../common/engine-types.js';
import { FORMAT_NAMES, type ModelFormat, type StyleModel } from '../model/style-model.js';

export type { BackendInfo, BackendKind } from '../../../common/engine-types.js';

/** An image for the network: RGB float32 in 0..255, height x width x 3 (HWC), no normalisation. */
export interface NetworkImage {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
}

/**
 * A model loaded on a backend. `run` returns the network's output as an RGB picture in 0..255 units,
 * unclipped, HWC, at least the input's size: the ml5 network returns `150 * tanh(x) + 127.5` at
 * `4 * ceil(side / 4)` a side (see `networkOutputSize`); other formats are mapped from their sidecar's
 * layout and range and cropped to the input's size.
 */
export interface LoadedNetwork {
  readonly info: BackendInfo;
  run(image: NetworkImage): Promise<NetworkImage>;
  /** Frees everything the model holds on the backend. Safe to call twice. */
  dispose(): Promise<void>;
}

/** A runtime that can load style models. One per backend kind. */
export interface NetworkBackend {
  readonly kind: BackendKind;
  /**
   * Loads `model`; rejects with an `Error` that says what failed, a {@link BackendFormatError} for a
   * format this kind does not run (see {@link FORMAT_BACKENDS}). Holds nothing if it rejects.
   */
  load(model: StyleModel): Promise<LoadedNetwork>;
}

/**
 * Which backend kinds run which model format, first choice first. An ONNX network needs onnxruntime
 * and a tfjs graph model tfjs-converter's executor; the ml5 network is built anew on either.
 */
export const FORMAT_BACKENDS: Readonly<Record<ModelFormat, readonly BackendKind[]>> = {
  ml5: ['ort', 'tfjs'],
  onnx: ['ort'],
  'tfjs-graph': ['tfjs'],
};

const BACKEND_NAMES: Record<BackendKind, string> = { ort: 'ort (onnxruntime)', tfjs: 'tfjs (TensorFlow.js)' };

/** A backend was chosen that cannot run the model's format. */
export class BackendFormatError extends Error {
  override readonly name = 'BackendFormatError';
  readonly code = 'backend-cannot-run-format';

  constructor(
    readonly backend: BackendKind,
    readonly model: string,
    readonly format: ModelFormat,
  ) {
    const runners = FORMAT_BACKENDS[format].map((k) => BACKEND_NAMES[k]).join(' or ');
    super(
      `Style model ${JSON.stringify(model)} is ${FORMAT_NAMES[format]}, which the ${BACKEND_NAMES[backend]} backend cannot run; only ${runners} can. Choose that backend, or auto.`,
    );
  }
}

/** @throws {BackendFormatError} unless backend `kind` runs `model`'s format. */
export function checkBackendRuns(kind: BackendKind, model: StyleModel): void {
  if (!FORMAT_BACKENDS[model.format].includes(kind))
    throw new BackendFormatError(kind, model.name, model.format);
}
