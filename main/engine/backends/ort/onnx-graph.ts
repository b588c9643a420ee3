import {
  INSTANCE_NORM_EPSILON,
  NETWORK,
  OUTPUT_OFFSET,
  OUTPUT_SCALE,
  type ConvLayerSpec,
} from '../../model/architecture.js';
import type { Ml5Model } from '../../model/ml5-model.js';
import { GraphBuilder, type GraphValue } from './graph-builder.js';
import { blockedConv, PLAIN, type BlockedConv, type BlockLayout } from './space-to-depth.js';

/** Graph input: one RGB image, HWC float32 in 0..255, any size. */
export const ONNX_INPUT = 'image';
/** Graph output: `150 * tanh(x) + 127.5`, HWC float32, `4 * ceil(side / 4)` per side. */
export const ONNX_OUTPUT = 'stylized';

/** The graph's input and output as `GraphBuilder.serialize` declares them. */
export const INPUT_VALUE: GraphValue = { name: ONNX_INPUT, dims: ['height', 'width', 3] };
export const OUTPUT_VALUE: GraphValue = { name: ONNX_OUTPUT, dims: ['outHeight', 'outWidth', 3] };

/**
 * Builds the ml5 network as a serialized ONNX model, in memory, from the model's weights.
 *
 * The graph takes and returns HWC so every backend shares one frame layout; the transposes to the
 * NCHW that ONNX convolutions want sit inside the graph, where onnxruntime fuses them into its own
 * layout changes. TensorFlow's "SAME" padding maps exactly onto `auto_pad = SAME_UPPER` for the
 * convolutions (stride 2 on an even side pads 0 before and 1 after); the transposed convolutions
 * produce exactly `2 * side`, which is explicit padding of 0 before and 1 after.
 */
export function buildOnnxModel(model: Ml5Model): Uint8Array {
  const graph = new GraphBuilder();

  let x = graph.node('Unsqueeze', [ONNX_INPUT, graph.int64('axis0', [0])], {});
  x = graph.node('Transpose', [x], { perm: [0, 3, 1, 2] });

  const layer = (input: string, spec: ConvLayerSpec): string =>
    normalize(graph, model, layerConv(graph, model, input, spec), spec);
  for (const spec of NETWORK) {
    if (spec.kind === 'layer') {
      x = layer(x, spec.layer);
    } else {
      x = graph.node('Add', [x, layer(layer(x, spec.first), spec.second)], {});
    }
  }

  x = graph.node('Transpose', [styleOutput(graph, x)], { perm: [0, 2, 3, 1] });
  graph.node('Squeeze', [x, graph.int64('axis0Out', [0])], {}, ONNX_OUTPUT);
  return graph.serialize(model.name, INPUT_VALUE, OUTPUT_VALUE);
}

/**
 * Below this many output channels a stride-1 convolution is computed on a half-resolution,
 * four-times-deeper grid instead. onnxruntime's fast CPU convolution works in blocks of 8 (AVX2) or 16
 * (AVX-512) output channels, so the final 9x9 layer's 3 channels would waste 13 of every 16 lanes; as 12
 * channels it wastes 4. On this network that makes the last layer about three times faster.
 */
const FEW_OUTPUT_CHANNELS = 8;

/** A space-to-depth layout as SpaceToDepth and DepthToSpace (DCR) make and undo it. */
const DCR2: BlockLayout = { block: 2, order: 'DCR' };

/**
 * One layer's convolution, from a full-resolution NCHW input to its full-resolution result. Two layers
 * are regrouped (see `blockedConv`) so that every convolution runs on onnxruntime's blocked Conv: the
 * 2x transposed convolutions as sub-pixel convolutions (a 2x2 convolution to `4 * out` channels, then
 * DepthToSpace) instead of its much slower col2im ConvTranspose, and the final 3-channel layer on
 * the half-resolution grid (SpaceToDepth, a 5x5 convolution to 12 channels, DepthToSpace).
 */
function layerConv(graph: GraphBuilder, model: Ml5Model, input: string, layer: ConvLayerSpec): string {
  const filter = model.weights[layer.filter]!;
  if (layer.kind === 'convTranspose') {
    return depthToSpace(graph, conv(graph, layer.filter, input, blockedConv(layer, filter, PLAIN, DCR2)));
  }
  if (layer.stride === 1 && layer.outChannels < FEW_OUTPUT_CHANNELS) {
    // The input of the last layer is `4 * ceil(side / 4)` on each side, so always whole blocks.
    const deep = graph.node('SpaceToDepth', [input], { blocksize: { int: 2 } });
    return depthToSpace(graph, conv(graph, layer.filter, deep, blockedConv(layer, filter, DCR2, DCR2)));
  }
  return conv(graph, layer.filter, input, blockedConv(layer, filter, PLAIN, PLAIN));
}

function conv(graph: GraphBuilder, filter: number, input: string, blocked: BlockedConv): string {
  const weight = graph.float(`W${filter}`, [...blocked.dims], blocked.values);
  return graph.node('Conv', [input, weight], blocked.attributes);
}

function depthToSpace(graph: GraphBuilder, x: string): string {
  return graph.node('DepthToSpace', [x], { blocksize: { int: 2 }, mode: 'DCR' });
}

/**
 * Instance norm with the layer's own shift and scale, then ReLU where the layer has one. NCHW. With
 * `gain`, the result is multiplied by it per channel (folded into the shift and scale).
 */
export function normalize(
  graph: GraphBuilder,
  model: Ml5Model,
  x: string,
  layer: ConvLayerSpec,
  gain?: readonly number[],
): string {
  const times = (values: Float32Array): Float32Array =>
    gain === undefined ? values : values.map((v, c) => v * gain[c]!);
  const shift = graph.float(
    `shift${layer.filter}`,
    [layer.outChannels],
    times(model.weights[layer.filter + 1]!),
  );
  const scale = graph.float(
    `scale${layer.filter}`,
    [layer.outChannels],
    times(model.weights[layer.filter + 2]!),
  );
  const y = graph.node('InstanceNormalization', [x, scale, shift], {
    epsilon: { float: INSTANCE_NORM_EPSILON },
  });
  return layer.relu ? graph.node('Relu', [y], {}) : y;
}

/** The network's last step: `150 * tanh(x) + 127.5`. */
export function styleOutput(graph: GraphBuilder, x: string): string {
  x = graph.node('Tanh', [x], {});
  x = graph.node('Mul', [x, graph.float('outputScale', [], new Float32Array([OUTPUT_SCALE]))], {});
  return graph.node('Add', [x, graph.float('outputOffset', [], new Float32Array([OUTPUT_OFFSET]))], {});
}
