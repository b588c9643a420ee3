import type { Ml5Model } from './ml5-model.js';
import type { ImageIo } from './sidecar.js';

export type { Ml5Model } from './ml5-model.js';
export type { ImageIo, ImageTensorSpec } from './sidecar.js';

/** The model formats a folder can hold: see `detectModelFormat`. */
export type ModelFormat = 'ml5' | 'onnx' | 'tfjs-graph';

/** The formats, in words a person knows them by (messages, the CLI). */
export const FORMAT_NAMES: Record<ModelFormat, string> = {
  ml5: 'an ml5 style model',
  onnx: 'an ONNX network',
  'tfjs-graph': 'a TensorFlow.js graph model',
};

/** An image-to-image ONNX network, validated, with its sidecar. */
export interface OnnxModel {
  readonly format: 'onnx';
  readonly name: string;
  /** Absolute, symlink-resolved folder. */
  readonly dir: string;
  /** The `.onnx` file's name in `dir`. */
  readonly file: string;
  /** The whole serialized ModelProto: self-contained (no external data), as validated. */
  readonly bytes: Uint8Array;
  readonly io: ImageIo;
}

/** One weight of a tfjs graph model, as its `weightsManifest` lists it (tfjs-core's `WeightsManifestEntry`). */
export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly quantization?: { readonly dtype: 'uint8' | 'uint16' | 'float16'; readonly [key: string]: unknown };
}

/**
 * A tfjs-converter graph model (`model.json` + weight shards), validated, with its sidecar: the fields
 * are tfjs-core's `ModelArtifacts`, ready for `tf.io.fromMemory`.
 */
export interface TfjsGraphModel {
  readonly format: 'tfjs-graph';
  readonly name: string;
  readonly dir: string;
  /** The GraphDef as JSON (`model.json`'s `modelTopology`). */
  readonly modelTopology: { readonly node: readonly unknown[]; readonly [key: string]: unknown };
  readonly weightSpecs: readonly TfjsWeightSpec[];
  /** The shards, concatenated in manifest order: exactly the bytes `weightSpecs` describe. */
  readonly weightData: ArrayBuffer;
  readonly io: ImageIo;
}

/** A model read from a folder, in whichever format it was: what `NetworkBackend.load` takes. */
export type StyleModel = Ml5Model | OnnxModel | TfjsGraphModel;
