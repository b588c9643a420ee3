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
  const filter = model.weights[layer.filter]!;
  const shape = VARIABLE_SHAPES[layer.filter]!;
  let y: string;
  if (layer.kind === 'conv') {
    // TensorFlow [kh, kw, in, out] -> ONNX Conv [out, in, kh, kw].
    const weight = graph.float(
      `W${layer.filter}`,
      permutedShape(shape, [3, 2, 0, 1]),
      permute(filter, shape, [3, 2, 0, 1]),
    );
    y = graph.node('Conv', [input, weight], {
      kernel_shape: [layer.kernel, layer.kernel],
      strides: [layer.stride, layer.stride],
      auto_pad: 'SAME_UPPER',
    });
  } else {
    // TensorFlow [kh, kw, out, in] -> ONNX ConvTranspose [in, out, kh, kw].
    const weight = graph.float(
      `W${layer.filter}`,
      permutedShape(shape, [3, 2, 0, 1]),
      permute(filter, shape, [3, 2, 0, 1]),
    );
    y = graph.node('ConvTranspose', [input, weight], {
      kernel_shape: [layer.kernel, layer.kernel],
      strides: [layer.stride, layer.stride],
      pads: [0, 0, 1, 1],
    });
  }
  const shift = graph.float(`shift${layer.filter}`, [layer.outChannels], model.weights[layer.filter + 1]!);
  const scale = graph.float(`scale${layer.filter}`, [layer.outChannels], model.weights[layer.filter + 2]!);
  y = graph.node('InstanceNormalization', [y, scale, shift], { epsilon: INSTANCE_NORM_EPSILON });
  return layer.relu ? graph.node('Relu', [y], {}) : y;
}

type Attribute = number | string | number[];

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
  return { name, type: AttributeType.FLOAT, f: value };
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
