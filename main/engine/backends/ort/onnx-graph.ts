import onnxProto from 'onnx-proto';
import {
  INSTANCE_NORM_EPSILON,
  NETWORK,
  OUTPUT_OFFSET,
  OUTPUT_SCALE,
  VARIABLE_SHAPES,
  type ConvLayerSpec,
} from '../../model/architecture.js';
import type { Ml5Model } from '../../model/ml5-model.js';

const { onnx } = onnxProto;

/** Graph input: one RGB image, HWC float32 in 0..255, any size. */
export const ONNX_INPUT = 'image';
/** Graph output: `150 * tanh(x) + 127.5`, HWC float32, `4 * ceil(side / 4)` per side. */
export const ONNX_OUTPUT = 'stylized';

/** Opset 13 has every op we use, and onnxruntime, DirectML and CoreML all run it. */
const OPSET = 13;
/** IR version 7 goes with opset 13. */
const IR_VERSION = 7;

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

  for (const layer of NETWORK) {
    if (layer.kind === 'layer') {
      x = convLayer(graph, model, x, layer.layer);
    } else {
      const inner = convLayer(graph, model, convLayer(graph, model, x, layer.first), layer.second);
      x = graph.node('Add', [x, inner], {});
    }
  }

  x = graph.node('Tanh', [x], {});
  x = graph.node('Mul', [x, graph.float('outputScale', [], new Float32Array([OUTPUT_SCALE]))], {});
  x = graph.node('Add', [x, graph.float('outputOffset', [], new Float32Array([OUTPUT_OFFSET]))], {});
  x = graph.node('Transpose', [x], { perm: [0, 2, 3, 1] });
  graph.node('Squeeze', [x, graph.int64('axis0Out', [0])], {}, ONNX_OUTPUT);

  return graph.serialize(model.name);
}

function convLayer(graph: GraphBuilder, model: Ml5Model, input: string, layer: ConvLayerSpec): string {
  let y: string;
  if (layer.kind === 'convTranspose') {
    y = subPixelConvTranspose(graph, model, input, layer);
  } else if (layer.stride === 1 && layer.outChannels < FEW_OUTPUT_CHANNELS) {
    y = spaceToDepthConv(graph, model, input, layer);
  } else {
    // TensorFlow [kh, kw, in, out] -> ONNX Conv [out, in, kh, kw].
    const shape = VARIABLE_SHAPES[layer.filter]!;
    const weight = graph.float(
      `W${layer.filter}`,
      permutedShape(shape, [3, 2, 0, 1]),
      permute(model.weights[layer.filter]!, shape, [3, 2, 0, 1]),
    );
    y = graph.node('Conv', [input, weight], {
      kernel_shape: [layer.kernel, layer.kernel],
      strides: [layer.stride, layer.stride],
      auto_pad: 'SAME_UPPER',
    });
  }
  const shift = graph.float(`shift${layer.filter}`, [layer.outChannels], model.weights[layer.filter + 1]!);
  const scale = graph.float(`scale${layer.filter}`, [layer.outChannels], model.weights[layer.filter + 2]!);
  y = graph.node('InstanceNormalization', [y, scale, shift], { epsilon: { float: INSTANCE_NORM_EPSILON } });
  return layer.relu ? graph.node('Relu', [y], {}) : y;
}

/**
 * Below this many output channels a stride-1 convolution is computed on a half-resolution,
 * four-times-deeper grid instead. onnxruntime's fast CPU convolution works in blocks of 8 (AVX2) or 16
 * (AVX-512) output channels, so the final 9x9 layer's 3 channels would waste 13 of every 16 lanes; as 12
 * channels it wastes 4. On this network that makes the last layer about three times faster.
 */
const FEW_OUTPUT_CHANNELS = 8;

/**
 * A stride-2 transposed convolution (kernel 3, TF "SAME", output exactly `2 * side`) rewritten as a 2x2
 * convolution to `4 * out` channels followed by DepthToSpace: output pixel `(2i + py, 2j + px)` only ever
 * sees input rows `i - 1, i` and columns `j - 1, j`, each through one tap of the 3x3 kernel. This is the
 * same sum, but on onnxruntime's blocked Conv instead of its much slower col2im ConvTranspose.
 */
function subPixelConvTranspose(
  graph: GraphBuilder,
  model: Ml5Model,
  input: string,
  layer: ConvLayerSpec,
): string {
  const { inChannels: cin, outChannels: cout, kernel } = layer;
  const filter = model.weights[layer.filter]!; // TF [kh, kw, out, in]
  // Kernel row for output parity p and 2x2 tap t (t = 0: input row i - 1, t = 1: row i); -1: no tap.
  const tapToKernel = [
    [2, 0],
    [-1, 1],
  ];
  const weight = new Float32Array(4 * cout * cin * 4);
  for (let py = 0; py < 2; py++)
    for (let px = 0; px < 2; px++)
      for (let ty = 0; ty < 2; ty++)
        for (let tx = 0; tx < 2; tx++) {
          const ky = tapToKernel[py]![ty]!;
          const kx = tapToKernel[px]![tx]!;
          if (ky < 0 || kx < 0) continue;
          for (let o = 0; o < cout; o++)
            for (let c = 0; c < cin; c++) {
              const target = ((((py * 2 + px) * cout + o) * cin + c) * 2 + ty) * 2 + tx;
              weight[target] = filter[((ky * kernel + kx) * cout + o) * cin + c]!;
            }
        }
  const w = graph.float(`W${layer.filter}`, [4 * cout, cin, 2, 2], weight);
  // Pad one row/column before (for tap i - 1) and none after: the output stops at exactly 2 * side.
  const y = graph.node('Conv', [input, w], { kernel_shape: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0] });
  return graph.node('DepthToSpace', [y], { blocksize: { int: 2 }, mode: 'DCR' });
}

/**
 * A stride-1 "SAME" convolution with an odd kernel K, on an input with even sides, computed as
 * SpaceToDepth(2) -> a (2R + 1)-tap convolution on the half-resolution grid, R = floor((K + 1) / 4)
 * (5x5 for the 9x9 layer) -> DepthToSpace(2). The same sum, regrouped. The network uses it only on its
 * last layer, whose input is `4 * ceil(side / 4)` on each side and so always even.
 */
function spaceToDepthConv(graph: GraphBuilder, model: Ml5Model, input: string, layer: ConvLayerSpec): string {
  const { inChannels: cin, outChannels: cout, kernel } = layer;
  const filter = model.weights[layer.filter]!; // TF [kh, kw, in, out]
  const pad = (kernel - 1) / 2;
  // Full-resolution offset `p + k - pad` lands in half-resolution cell floor(offset / 2), at parity
  // offset mod 2; `reach` is the largest cell offset.
  const reach = Math.floor((kernel + 1) / 4);
  const taps = 2 * reach + 1;
  const weight = new Float32Array(4 * cout * 4 * cin * taps * taps);
  for (let py = 0; py < 2; py++)
    for (let px = 0; px < 2; px++)
      for (let ky = 0; ky < kernel; ky++)
        for (let kx = 0; kx < kernel; kx++) {
          const offY = py + ky - pad;
          const offX = px + kx - pad;
          const ty = Math.floor(offY / 2) + reach;
          const tx = Math.floor(offX / 2) + reach;
          const qy = offY - 2 * Math.floor(offY / 2);
          const qx = offX - 2 * Math.floor(offX / 2);
          for (let o = 0; o < cout; o++)
            for (let c = 0; c < cin; c++) {
              const outChannel = (py * 2 + px) * cout + o;
              const inChannel = (qy * 2 + qx) * cin + c;
              weight[((outChannel * 4 * cin + inChannel) * taps + ty) * taps + tx] =
                filter[((ky * kernel + kx) * cin + c) * cout + o]!;
            }
        }
  const w = graph.float(`W${layer.filter}`, [4 * cout, 4 * cin, taps, taps], weight);
  const deep = graph.node('SpaceToDepth', [input], { blocksize: { int: 2 } });
  const y = graph.node('Conv', [deep, w], {
    kernel_shape: [taps, taps],
    strides: [1, 1],
    pads: [reach, reach, reach, reach],
  });
  return graph.node('DepthToSpace', [y], { blocksize: { int: 2 }, mode: 'DCR' });
}

/** ONNX attributes are typed: scalars say which type they are, lists are always INTS here. */
type Attribute = { readonly int: number } | { readonly float: number } | string | number[];

/** Accumulates nodes and initializers with unique names; a thin layer over the onnx-proto messages. */
class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  node(opType: string, inputs: string[], attributes: Record<string, Attribute>, output?: string): string {
    const name = output ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      opType,
      name,
      input: inputs,
      output: [name],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return name;
  }

  float(name: string, dims: number[], values: Float32Array): string {
    // rawData is the little-endian bytes; Float32Array is little-endian on every platform we ship to.
    this.initializers.push({
      name,
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    });
    return name;
  }

  int64(name: string, values: number[]): string {
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      int64Data: values,
    });
    return name;
  }

  serialize(modelName: string): Uint8Array {
    const dim = (param: string): onnxProto.onnx.TensorShapeProto.IDimension => ({ dimParam: param });
    const floatType = (dims: onnxProto.onnx.TensorShapeProto.IDimension[]): onnxProto.onnx.ITypeProto => ({
      tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } },
    });
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'style-mirror',
      graph: {
        name: modelName,
        node: this.nodes,
        initializer: this.initializers,
        input: [{ name: ONNX_INPUT, type: floatType([dim('height'), dim('width'), { dimValue: 3 }]) }],
        output: [
          { name: ONNX_OUTPUT, type: floatType([dim('outHeight'), dim('outWidth'), { dimValue: 3 }]) },
        ],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function attribute(name: string, value: Attribute): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function permutedShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((axis) => shape[axis]!);
}

/** Transposes a dense row-major 4-D tensor: output axis `i` is input axis `perm[i]`. */
function permute(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const outShape = permutedShape(shape, perm);
  const inStrides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const stride = perm.map((axis) => inStrides[axis]!);
  const out = new Float32Array(values.length);
  let o = 0;
  for (let a = 0; a < outShape[0]!; a++)
    for (let b = 0; b < outShape[1]!; b++)
      for (let c = 0; c < outShape[2]!; c++)
        for (let d = 0; d < outShape[3]!; d++)
          out[o++] = values[a * stride[0]! + b * stride[1]! + c * stride[2]! + d * stride[3]!]!;
  return out;
}
