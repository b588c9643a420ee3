/**
 * The fast style-transfer network of Johnson et al. ("Perceptual Losses for Real-Time Style Transfer"),
 * exactly as ml5.js 0.12.2 `styleTransfer` runs it (itself a port of fast-style-transfer-deeplearnjs).
 *
 * Every backend builds its graph from this one description, so the layer plan lives here once.
 * Variable `k` is stored in the ml5 folder as `Variable` (k = 0) or `Variable_k`.
 */

/** One convolution (or transposed convolution) followed by instance norm and an optional ReLU. */
export interface ConvLayerSpec {
  readonly kind: 'conv' | 'convTranspose';
  /** Index of the filter variable; instance-norm shift is `filter + 1`, scale is `filter + 2`. */
  readonly filter: number;
  readonly kernel: number;
  readonly stride: 1 | 2;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly relu: boolean;
}

/** A layer of the network, in execution order. */
export type LayerSpec =
  | { readonly kind: 'layer'; readonly layer: ConvLayerSpec }
  | { readonly kind: 'residual'; readonly first: ConvLayerSpec; readonly second: ConvLayerSpec };

const conv = (
  filter: number,
  kernel: number,
  stride: 1 | 2,
  inChannels: number,
  outChannels: number,
  relu: boolean,
): ConvLayerSpec => ({ kind: 'conv', filter, kernel, stride, inChannels, outChannels, relu });

const convTranspose = (filter: number, inChannels: number, outChannels: number): ConvLayerSpec => ({
  kind: 'convTranspose',
  filter,
  kernel: 3,
  stride: 2,
  inChannels,
  outChannels,
  relu: true,
});

const residual = (filter: number): LayerSpec => ({
  kind: 'residual',
  first: conv(filter, 3, 1, 128, 128, true),
  second: conv(filter + 3, 3, 1, 128, 128, false),
});

/** The network, layer by layer, with ml5's variable numbering. */
export const NETWORK: readonly LayerSpec[] = [
  { kind: 'layer', layer: conv(0, 9, 1, 3, 32, true) },
  { kind: 'layer', layer: conv(3, 3, 2, 32, 64, true) },
  { kind: 'layer', layer: conv(6, 3, 2, 64, 128, true) },
  residual(9),
  residual(15),
  residual(21),
  residual(27),
  residual(33),
  { kind: 'layer', layer: convTranspose(39, 128, 64) },
  { kind: 'layer', layer: convTranspose(42, 64, 32) },
  { kind: 'layer', layer: conv(45, 9, 1, 32, 3, false) },
];

/** Instance-norm epsilon used by ml5 (`tf.scalar(1e-3)`). */
export const INSTANCE_NORM_EPSILON = 1e-3;

/** The output is `OUTPUT_SCALE * tanh(x) + OUTPUT_OFFSET`, unclipped, in 0..255 units. */
export const OUTPUT_SCALE = 150;
export const OUTPUT_OFFSET = 127.5;

/** Two stride-2 convolutions then two 2x upsamplings: each output side is `4 * ceil(side / 4)`. */
export function networkOutputSize(side: number): number {
  return 4 * Math.ceil(side / 4);
}

/** ml5's file name for variable `index`. */
export function variableName(index: number): string {
  return index === 0 ? 'Variable' : `Variable_${index}`;
}

/** Count of variables the network uses (`Variable` .. `Variable_47`). */
export const VARIABLE_COUNT = 48;

function allConvLayers(): ConvLayerSpec[] {
  return NETWORK.flatMap((l) => (l.kind === 'layer' ? [l.layer] : [l.first, l.second]));
}

/**
 * The exact shape each variable must have, in TensorFlow layout: conv filters are
 * `[kh, kw, in, out]`, transposed-conv filters `[kh, kw, out, in]`, norm shift/scale `[channels]`.
 */
export const VARIABLE_SHAPES: readonly (readonly number[])[] = (() => {
  const shapes: number[][] = new Array<number[]>(VARIABLE_COUNT);
  for (const l of allConvLayers()) {
    shapes[l.filter] =
      l.kind === 'conv'
        ? [l.kernel, l.kernel, l.inChannels, l.outChannels]
        : [l.kernel, l.kernel, l.outChannels, l.inChannels];
    shapes[l.filter + 1] = [l.outChannels];
    shapes[l.filter + 2] = [l.outChannels];
  }
  return shapes;
})();
