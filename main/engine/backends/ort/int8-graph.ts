import { NETWORK, type ConvLayerSpec } from '../../model/architecture.js';
import type { Ml5Model } from '../../model/ml5-model.js';
import { GraphBuilder } from './graph-builder.js';
import { INPUT_VALUE, normalize, ONNX_INPUT, ONNX_OUTPUT, OUTPUT_VALUE, styleOutput } from './onnx-graph.js';
import { blockedConv, PLAIN, type BlockedConv, type BlockLayout } from './space-to-depth.js';

/** A range of activation values, as calibration measured it. */
export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** How one layer's convolution runs in int8. */
export interface Int8LayerPlan {
  /** What the convolution reads, quantized to u8 over this range. */
  readonly input: ValueRange;
  /**
   * What it writes, before instance norm: per output channel, the ranges its copies cover, lowest
   * first (`pieces[p][channel]`). Each copy is quantized to all of u8 over its own piece, so one piece
   * is a plain per-channel range; with two, a channel whose rare outliers reach far (the bright dot
   * some styles paint in every frame, which sways the last instance norm) keeps fine steps where most
   * values are. Instance norm ignores the constant the copies' sum is off by.
   */
  readonly pieces: readonly (readonly ValueRange[])[];
}

/** How a model runs in int8. */
export interface Int8Plan {
  /** Keyed by each layer's filter variable; a layer without a plan runs in float32. */
  readonly layers: Readonly<Record<number, Int8LayerPlan>>;
  /**
   * Per channel, a gain on the activations between layers, keyed by the activation's first reader
   * (see `activationOf`). Folded into the instance norms that write them (ReLU commutes with a
   * positive gain) and undone in the weights that read them: exact in float, but channels of similar
   * range share the u8 range fairly.
   */
  readonly activationGains: Readonly<Record<number, readonly number[]>>;
}

/** The plan that leaves everything in float32. */
export const FLOAT_PLAN: Int8Plan = { layers: {}, activationGains: {} };

/**
 * The activation a layer reads, named by the filter of its first reader: the residual stream is one
 * activation, read by every residual block and by the layer after them.
 */
export function activationOf(filter: number): number {
  return STREAM_READERS.includes(filter) ? STREAM_READERS[0]! : filter;
}

/** The layers that read the residual stream. */
export const STREAM_READERS: readonly number[] = NETWORK.flatMap((l, i) => {
  const previous = NETWORK[i - 1];
  if (l.kind === 'residual') return [l.first.filter];
  return previous?.kind === 'residual' ? [l.layer.filter] : [];
});

/** The layer that reads what `filter`'s layer writes, or undefined for the last layer. */
function readerOf(filter: number): number | undefined {
  for (let i = 0; i < NETWORK.length; i++) {
    const l = NETWORK[i]!;
    const next = NETWORK[i + 1];
    const nextFirst =
      next === undefined ? undefined : next.kind === 'layer' ? next.layer.filter : next.first.filter;
    if (l.kind === 'layer' && l.layer.filter === filter) return nextFirst;
    if (l.kind === 'residual' && l.first.filter === filter) return l.second.filter;
    if (l.kind === 'residual' && l.second.filter === filter) return nextFirst;
  }
  return undefined;
}

/**
 * The layer the int8 engine always keeps in float32: the first, which reads the frame itself, before
 * any instance norm has evened out its brightness and contrast. Its result's range changes with every
 * frame, so a dim or flat frame would use a sliver of any fixed u8 range, and the whole picture shows
 * it (on the shared photos, mathura fell to 27 dB). It is about a twentieth of the network's time.
 */
export const FLOAT_FIRST_LAYER = 0;

/** Space-to-depth layouts of the int8 graph's upsampling tail. */
const CRD2: BlockLayout = { block: 2, order: 'CRD' };
const CRD4: BlockLayout = { block: 4, order: 'CRD' };

/**
 * Each layer's input and output layout, by filter variable (the rest are plain). The last layer reads
 * 2x2 blocks and writes 4x4 blocks (48 channels) and the upsampling layers write 2x2 blocks:
 * onnxruntime's int8 convolution needs at least 16 output channels (the plain last layer has 3, and
 * ran slower than in float32), and no full-resolution tensor is ever plain after the float32 head.
 */
const LAYOUTS: Readonly<Record<number, readonly [BlockLayout, BlockLayout]>> = {
  39: [PLAIN, CRD2],
  42: [PLAIN, CRD2],
  45: [CRD2, CRD4],
};

export interface Int8GraphOptions {
  /** Also outputs each layer's input and convolution result, plain NCHW (`probeInputName`, `probeOutputName`). */
  readonly probes?: boolean;
}

/** The probe output holding what the layer with filter variable `k` reads. */
export const probeInputName = (k: number): string => `layer${k}_input`;
/** The probe output holding the layer's convolution result, before instance norm. */
export const probeOutputName = (k: number): string => `layer${k}_conv`;

/**
 * Builds the network for onnxruntime's int8 CPU kernels: QDQ form (QuantizeLinear/DequantizeLinear
 * around each Conv, u8 activations, s8 weights with a scale per output channel), which onnxruntime
 * fuses into its int8 convolution. Instance norm, ReLU, the residual adds and the output stay float32.
 * Without a plan (or for layers the plan leaves out) the same graph runs in float32, and computes
 * what `buildOnnxModel`'s does, for any image size: it has the same input and output.
 */
export function buildInt8OnnxModel(
  model: Ml5Model,
  plan: Int8Plan = FLOAT_PLAN,
  options: Int8GraphOptions = {},
): Uint8Array {
  if (plan.activationGains[CONV_SPECS[0]!.filter] !== undefined) {
    throw new Error('The image cannot carry an activation gain: no instance norm writes it.');
  }
  const graph = new GraphBuilder();
  const probe = (x: string, layout: BlockLayout, name: string): void => {
    if (!options.probes) return;
    const plain =
      layout.block === 1
        ? x
        : graph.node('DepthToSpace', [x], { blocksize: { int: layout.block }, mode: layout.order });
    graph.output(graph.node('Identity', [plain], {}, name));
  };

  let x = graph.node('Unsqueeze', [ONNX_INPUT, graph.int64('axis0', [0])], {});
  x = graph.node('Transpose', [x], { perm: [0, 3, 1, 2] });

  const layer = (input: string, spec: ConvLayerSpec): string => {
    const [inLayout, outLayout] = LAYOUTS[spec.filter] ?? [PLAIN, PLAIN];
    probe(input, inLayout, probeInputName(spec.filter));
    const inGain = plan.activationGains[activationOf(spec.filter)];
    const filter =
      inGain === undefined
        ? model.weights[spec.filter]!
        : undoGain(spec, model.weights[spec.filter]!, inGain);
    const conv = blockedConv(spec, filter, inLayout, outLayout);
    const y = convolution(graph, spec.filter, input, conv, plan.layers[spec.filter], outLayout.block);
    probe(y, outLayout, probeOutputName(spec.filter));
    const reader = readerOf(spec.filter);
    const outGain = reader === undefined ? undefined : plan.activationGains[activationOf(reader)];
    return blockedNormalize(graph, model, y, spec, outLayout.block, outGain);
  };
  for (const spec of NETWORK) {
    if (spec.kind === 'layer') {
      x = layer(x, spec.layer);
      const [, outLayout] = LAYOUTS[spec.layer.filter] ?? [PLAIN, PLAIN];
      const next = readerOf(spec.layer.filter);
      // A blocked output that the next layer reads plain: back to full resolution, in u8 if it is int8.
      if (outLayout.block > 1 && next !== undefined && (LAYOUTS[next]?.[0] ?? PLAIN).block === 1) {
        const range = plan.layers[next]?.input;
        if (range !== undefined) x = quantizeDequantize(graph, x, range);
        x = graph.node('DepthToSpace', [x], { blocksize: { int: outLayout.block }, mode: outLayout.order });
      }
    } else {
      x = graph.node('Add', [x, layer(layer(x, spec.first), spec.second)], {});
    }
  }

  x = styleOutput(graph, x);
  x = graph.node('DepthToSpace', [x], { blocksize: { int: CRD4.block }, mode: CRD4.order });
  x = graph.node('Transpose', [x], { perm: [0, 2, 3, 1] });
  graph.node('Squeeze', [x, graph.int64('axis0Out', [0])], {}, ONNX_OUTPUT);
  return graph.serialize(model.name, INPUT_VALUE, OUTPUT_VALUE);
}

/** Every convolution layer of the network, in order. */
export const CONV_SPECS: readonly ConvLayerSpec[] = NETWORK.flatMap((l) =>
  l.kind === 'layer' ? [l.layer] : [l.first, l.second],
);

/** One convolution on blocked tensors, in int8 where the plan has the layer. */
function convolution(
  graph: GraphBuilder,
  filter: number,
  input: string,
  conv: BlockedConv,
  plan: Int8LayerPlan | undefined,
  outBlock: number,
): string {
  const { attributes } = conv;
  if (plan === undefined) {
    return graph.node('Conv', [input, graph.float(`W${filter}`, [...conv.dims], conv.values)], attributes);
  }
  const outDepth = conv.dims[0];
  const copies = plan.pieces.length;
  // Per piece and blocked output channel `c * block² + j` (CRD), which belongs to channel c: the gain
  // that maps the piece onto all of u8 (OUTPUT_STEPS), and the bias that moves its bottom to u8's.
  const gains = new Float32Array(copies * outDepth);
  const offsets = new Float32Array(copies * outDepth);
  plan.pieces.forEach((piece, p) => {
    for (let i = 0; i < outDepth; i++) {
      const { min, max } = piece[Math.floor(i / outBlock ** 2)]!;
      const gain = OUTPUT_STEPS / Math.max(max - min, MIN_PIECE);
      gains[p * outDepth + i] = gain;
      offsets[p * outDepth + i] = OUTPUT_LOWEST - gain * min;
    }
  });

  const { scale: inScale } = u8Quantization(plan.input);
  const weights = int8Weights(conv, gains);
  const w = graph.node(
    'DequantizeLinear',
    [
      graph.int8(`W${filter}_q`, [copies * outDepth, ...conv.dims.slice(1)], weights.values),
      graph.float(`W${filter}_scale`, [gains.length], weights.scales),
      graph.int8(`W${filter}_zero`, [gains.length], new Int8Array(gains.length)),
    ],
    { axis: { int: 0 } },
  );
  // The bias in int32 at the scale the int8 kernel accumulates in: input scale x weight scale.
  const biasScales = weights.scales.map((s) => Math.fround(inScale) * s);
  const bias = Int32Array.from(biasScales, (s, o) => Math.round(offsets[o]! / s));
  const b = graph.node(
    'DequantizeLinear',
    [
      graph.int32(`B${filter}_q`, [bias.length], bias),
      graph.float(`B${filter}_scale`, [bias.length], biasScales),
      graph.int32(`B${filter}_zero`, [bias.length], new Int32Array(bias.length)),
    ],
    { axis: { int: 0 } },
  );
  const y = graph.node('Conv', [quantizeDequantize(graph, input, plan.input), w, b], attributes);

  // u8 with scale 1 over OUTPUT_LOWEST..: one step per unit. Read back per channel, divided by its gain,
  // so instance norm sees the convolution's own units (its epsilon means what it meant in float32).
  const zero = graph.uint8(`${y}_zero`, [], new Uint8Array([-OUTPUT_LOWEST]));
  const q = graph.node('QuantizeLinear', [y, graph.float(`${y}_scale`, [], new Float32Array([1])), zero], {});
  let x = graph.node(
    'DequantizeLinear',
    [
      q,
      graph.float(
        `${y}_scales`,
        [gains.length],
        gains.map((g) => 1 / g),
      ),
      graph.uint8(`${y}_zeros`, [gains.length], new Uint8Array(gains.length).fill(-OUTPUT_LOWEST)),
    ],
    { axis: { int: 1 } },
  );
  if (copies > 1) {
    // [1, copies * depth, h, w] -> [1, copies, depth * h, w] -> summed -> [1, depth, h, w].
    x = graph.node('Reshape', [x, graph.int64(`copies${filter}`, [0, copies, -1, 0])], {});
    x = graph.node('ReduceSum', [x, graph.int64(`copyAxis${filter}`, [1])], { keepdims: { int: 1 } });
    x = graph.node('Reshape', [x, graph.int64(`summed${filter}`, [0, outDepth, -1, 0])], {});
  }
  return x;
}

/** A convolution's u8 result spans OUTPUT_LOWEST .. OUTPUT_LOWEST + OUTPUT_STEPS, one unit a step. */
const OUTPUT_LOWEST = -128;
const OUTPUT_STEPS = 255;
/** The narrowest piece a channel is given (a dead channel's range is 0). */
const MIN_PIECE = 1e-6;

/** The filter with each input channel's weights divided by the gain its activation carries. */
function undoGain(layer: ConvLayerSpec, filter: Float32Array, gain: readonly number[]): Float32Array {
  // TensorFlow layouts: convolution [kh, kw, in, out], transposed convolution [kh, kw, out, in].
  const { inChannels: cin, outChannels: cout } = layer;
  const inner = layer.kind === 'convTranspose' ? 1 : cout;
  return filter.map((w, i) => w / gain[Math.floor(i / inner) % cin]!);
}

/**
 * Instance norm and ReLU of a CRD-blocked tensor (each channel's block² sub-channels as one channel),
 * times `gain` per channel.
 */
function blockedNormalize(
  graph: GraphBuilder,
  model: Ml5Model,
  x: string,
  layer: ConvLayerSpec,
  block: number,
  gain: readonly number[] | undefined,
): string {
  if (block === 1) return normalize(graph, model, x, layer, gain);
  // [1, C * block², h, w] -> [1, C, block² * h, w] is the same memory in CRD order; 0 keeps a dimension.
  const c = layer.outChannels;
  x = graph.node('Reshape', [x, graph.int64(`grouped${layer.filter}`, [0, c, -1, 0])], {});
  x = normalize(graph, model, x, layer, gain);
  return graph.node('Reshape', [x, graph.int64(`blocked${layer.filter}`, [0, c * block * block, -1, 0])], {});
}

/**
 * `DequantizeLinear(QuantizeLinear(x))` in u8 over `range`. onnxruntime folds the pair into the
 * neighbouring int8 convolution.
 */
function quantizeDequantize(graph: GraphBuilder, x: string, range: ValueRange): string {
  const { scale, zeroPoint } = u8Quantization(range);
  const s = graph.float(`${x}_scale`, [], new Float32Array([scale]));
  const z = graph.uint8(`${x}_zero`, [], new Uint8Array([zeroPoint]));
  return graph.node('DequantizeLinear', [graph.node('QuantizeLinear', [x, s, z], {}), s, z], {});
}

/** Scale and zero point of the u8 quantization of `range`, widened to hold 0 exactly (zero padding). */
function u8Quantization(range: ValueRange): { scale: number; zeroPoint: number } {
  const min = Math.min(0, range.min);
  const max = Math.max(0, range.max);
  const scale = max > min ? (max - min) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-min / scale))) };
}

/**
 * The weights, once per piece, times the piece's gain per output channel, as s8 with one symmetric
 * scale per output channel (gains.length of them).
 */
function int8Weights(conv: BlockedConv, gains: Float32Array): { values: Int8Array; scales: Float32Array } {
  const perChannel = conv.values.length / conv.dims[0];
  const scales = new Float32Array(gains.length);
  const values = new Int8Array(gains.length * perChannel);
  for (let o = 0; o < gains.length; o++) {
    const from = (o % conv.dims[0]) * perChannel;
    let largest = 0;
    for (let i = 0; i < perChannel; i++) largest = Math.max(largest, Math.abs(conv.values[from + i]!));
    const scale = largest > 0 ? (largest * gains[o]!) / 127 : 1;
    scales[o] = scale;
    for (let i = 0; i < perChannel; i++)
      values[o * perChannel + i] = Math.round((conv.values[from + i]! * gains[o]!) / scale);
  }
  return { values, scales };
}
