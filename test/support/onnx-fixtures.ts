import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';

/**
 * Small image-to-image ONNX networks built in the test, as `main/engine/backends/ort/onnx-graph.ts`
 * builds the ml5 one, and the same math in plain JavaScript to check what onnxruntime makes of them.
 */

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Dim = onnxProto.onnx.TensorShapeProto.IDimension;

/** A picture tensor, batch of one, NCHW, in float64 for the reference. */
export interface Planes {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float64Array;
}

/** The weights of {@link buildTinyStyleOnnx}: 3 -> 4 -> 4 (stride 2) -> upsample -> 3 channels, 3x3 kernels. */
export interface TinyStyleWeights {
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly scale1: Float32Array;
  readonly shift1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
  readonly w3: Float32Array;
  readonly b3: Float32Array;
}

const C1 = 4;
const C2 = 4;
const K = 3;
/** Instance-norm epsilon, PyTorch's default. */
const EPSILON = 1e-5;

/** Deterministic weights that make a visibly varying picture around mid-grey. */
export function tinyStyleWeights(seed = 7): TinyStyleWeights {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000 - 0.5;
  };
  const values = (n: number, scale: number, offset = 0): Float32Array =>
    Float32Array.from({ length: n }, () => offset + next() * scale);
  return {
    w1: values(C1 * 3 * K * K, 0.02),
    b1: values(C1, 1),
    scale1: values(C1, 1, 1),
    shift1: values(C1, 1),
    w2: values(C2 * C1 * K * K, 1),
    b2: values(C2, 0.5),
    w3: values(3 * C2 * K * K, 20),
    b3: values(3, 20, 127.5),
  };
}

export interface TinyStyleOptions {
  readonly input?: string;
  readonly output?: string;
  /** Declares a fixed height and width for the input instead of free ones. */
  readonly fixedSize?: readonly [number, number];
  /** Marks the first weight as stored in an external file at this path. */
  readonly externalData?: string;
}

/**
 * A miniature of PyTorch's fast_neural_style, NCHW, 0..255 in and out: reflection pad + conv +
 * instance norm + ReLU, a stride-2 conv + ReLU, then nearest 2x upsampling + reflection pad + conv
 * (upsample-then-convolve, as PyTorch's UpsampleConvLayer does), opset 13.
 */
export function buildTinyStyleOnnx(weights: TinyStyleWeights, options: TinyStyleOptions = {}): Uint8Array {
  const input = options.input ?? 'input';
  const output = options.output ?? 'output';
  const g = new TestGraph();
  const pad1 = g.int64('pad1', [0, 0, 1, 1, 0, 0, 1, 1]);
  const reflect = (x: string): string => g.node('Pad', [x, pad1], [str('mode', 'reflect')]);
  const conv = (x: string, w: string, b: string, stride: number): string =>
    g.node('Conv', [x, w, b], [ints('kernel_shape', [K, K]), ints('strides', [stride, stride])]);

  let x = reflect(input);
  x = conv(x, g.float('w1', [C1, 3, K, K], weights.w1), g.float('b1', [C1], weights.b1), 1);
  x = g.node(
    'InstanceNormalization',
    [x, g.float('scale1', [C1], weights.scale1), g.float('shift1', [C1], weights.shift1)],
    [{ name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: EPSILON }],
  );
  x = g.node('Relu', [x]);
  x = conv(reflect(x), g.float('w2', [C2, C1, K, K], weights.w2), g.float('b2', [C2], weights.b2), 2);
  x = g.node('Relu', [x]);
  x = g.node(
    'Resize',
    [x, '', g.float('scales', [4], new Float32Array([1, 1, 2, 2]))],
    [
      str('mode', 'nearest'),
      str('coordinate_transformation_mode', 'asymmetric'),
      str('nearest_mode', 'floor'),
    ],
  );
  g.node(
    'Conv',
    [reflect(x), g.float('w3', [3, C2, K, K], weights.w3), g.float('b3', [3], weights.b3)],
    [ints('kernel_shape', [K, K])],
    output,
  );

  if (options.externalData !== undefined) {
    const first = g.initializers.find((t) => t.name === 'w1')!;
    first.rawData = null;
    first.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    first.externalData = [{ key: 'location', value: options.externalData }];
  }
  const [h, w]: Dim[] = options.fixedSize
    ? [{ dimValue: options.fixedSize[0] }, { dimValue: options.fixedSize[1] }]
    : [{ dimParam: 'height' }, { dimParam: 'width' }];
  return g.serialize(
    { name: input, dims: [{ dimValue: 1 }, { dimValue: 3 }, h!, w!] },
    {
      name: output,
      dims: [{ dimValue: 1 }, { dimValue: 3 }, { dimParam: 'outHeight' }, { dimParam: 'outWidth' }],
    },
  );
}

/** {@link buildTinyStyleOnnx}'s math in float64 JavaScript: the full output, before any crop. */
export function tinyStyleReference(weights: TinyStyleWeights, input: Planes): Planes {
  let x = conv(reflectPad(input), weights.w1, weights.b1, C1, 1);
  x = relu(instanceNorm(x, weights.scale1, weights.shift1));
  x = relu(conv(reflectPad(x), weights.w2, weights.b2, C2, 2));
  return conv(reflectPad(upsample2(x)), weights.w3, weights.b3, 3, 1);
}

/**
 * `output = input * scale + offset`, elementwise, on a picture tensor of the given layout (declared
 * with free height and width): with a sidecar's ranges it makes networks whose output is known exactly.
 */
export function buildAffineOnnx(
  layout: 'NHWC' | 'NCHW',
  scale: number,
  offset: number,
  /** The input's declared element type (an `onnx.TensorProto.DataType`); FLOAT unless given. */
  inputType: number = onnx.TensorProto.DataType.FLOAT,
): Uint8Array {
  const g = new TestGraph();
  const x = g.node('Mul', ['image', g.float('scale', [], new Float32Array([scale]))]);
  g.node('Add', [x, g.float('offset', [], new Float32Array([offset]))], [], 'picture');
  const dims = (prefix: string): Dim[] => {
    const [h, w] = [{ dimParam: `${prefix}H` }, { dimParam: `${prefix}W` }];
    return layout === 'NCHW'
      ? [{ dimValue: 1 }, { dimValue: 3 }, h, w]
      : [{ dimValue: 1 }, h, w, { dimValue: 3 }];
  };
  return g.serialize(
    { name: 'image', dims: dims('in'), type: inputType },
    { name: 'picture', dims: dims('out') },
  );
}

/** The engine's HWC RGB picture as NCHW planes. */
export function hwcToPlanes(data: Float32Array, height: number, width: number): Planes {
  const out = new Float64Array(data.length);
  const plane = height * width;
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = data[3 * p + c]!;
  return { channels: 3, height, width, data: out };
}

/** Writes an ONNX model folder: the network as `file` and `stylemirror.json`, if given. */
export async function writeOnnxFolder(
  dir: string,
  network: Uint8Array,
  sidecar: unknown,
  file = 'network.onnx',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, file), network);
  if (sidecar !== undefined) await writeFile(path.join(dir, 'stylemirror.json'), JSON.stringify(sidecar));
}

/** The sidecar of a PyTorch fast_neural_style export: NCHW, 0..255 both ways. */
export function fastNeuralStyleSidecar(input = 'input', output = 'output'): unknown {
  return {
    version: 1,
    input: { name: input, layout: 'NCHW', range: [0, 255] },
    output: { name: output, layout: 'NCHW', range: [0, 255] },
  };
}

const str = (name: string, value: string): onnxProto.onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.STRING,
  s: new TextEncoder().encode(value),
});
const ints = (name: string, values: number[]): onnxProto.onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
});

class TestGraph {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private counter = 0;

  node(
    opType: string,
    inputs: string[],
    attribute: onnxProto.onnx.IAttributeProto[] = [],
    output?: string,
  ): string {
    const name = output ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({ opType, name, input: inputs, output: [name], attribute });
    return name;
  }

  float(name: string, dims: number[], values: Float32Array): string {
    const rawData = new Uint8Array(values.length * 4);
    values.forEach((v, i) => new DataView(rawData.buffer).setFloat32(i * 4, v, true));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData });
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

  serialize(
    input: { name: string; dims: Dim[]; type?: number },
    output: { name: string; dims: Dim[] },
  ): Uint8Array {
    const type = (
      dims: Dim[],
      elemType: number = onnx.TensorProto.DataType.FLOAT,
    ): onnxProto.onnx.ITypeProto => ({
      tensorType: { elemType, shape: { dim: dims } },
    });
    return onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 7,
        opsetImport: [{ domain: '', version: 13 }],
        producerName: 'style-mirror-tests',
        graph: {
          name: 'test',
          node: this.nodes,
          initializer: this.initializers,
          input: [{ name: input.name, type: type(input.dims, input.type) }],
          output: [{ name: output.name, type: type(output.dims) }],
        },
      }),
    ).finish();
  }
}

function reflectPad(x: Planes): Planes {
  const { channels, height, width } = x;
  const [h, w] = [height + 2, width + 2];
  const data = new Float64Array(channels * h * w);
  // Mirror without repeating the edge: index -1 reads 1, index n reads n - 2.
  const mirror = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        data[(c * h + y) * w + xx] =
          x.data[(c * height + mirror(y - 1, height)) * width + mirror(xx - 1, width)]!;
  return { channels, height: h, width: w, data };
}

/** A valid (unpadded) KxK convolution, weights [out, in, K, K]. */
function conv(x: Planes, w: Float32Array, b: Float32Array, out: number, stride: number): Planes {
  const height = Math.floor((x.height - K) / stride) + 1;
  const width = Math.floor((x.width - K) / stride) + 1;
  const data = new Float64Array(out * height * width);
  for (let o = 0; o < out; o++)
    for (let y = 0; y < height; y++)
      for (let xx = 0; xx < width; xx++) {
        let sum = b[o]!;
        for (let c = 0; c < x.channels; c++)
          for (let ky = 0; ky < K; ky++)
            for (let kx = 0; kx < K; kx++)
              sum +=
                w[((o * x.channels + c) * K + ky) * K + kx]! *
                x.data[(c * x.height + y * stride + ky) * x.width + xx * stride + kx]!;
        data[(o * height + y) * width + xx] = sum;
      }
  return { channels: out, height, width, data };
}

function instanceNorm(x: Planes, scale: Float32Array, shift: Float32Array): Planes {
  const plane = x.height * x.width;
  const data = new Float64Array(x.data.length);
  for (let c = 0; c < x.channels; c++) {
    const values = x.data.subarray(c * plane, (c + 1) * plane);
    const mean = values.reduce((a, v) => a + v, 0) / plane;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / plane;
    const k = scale[c]! / Math.sqrt(variance + EPSILON);
    for (let p = 0; p < plane; p++) data[c * plane + p] = (values[p]! - mean) * k + shift[c]!;
  }
  return { ...x, data };
}

function relu(x: Planes): Planes {
  return { ...x, data: x.data.map((v) => Math.max(0, v)) };
}

function upsample2(x: Planes): Planes {
  const [h, w] = [x.height * 2, x.width * 2];
  const data = new Float64Array(x.channels * h * w);
  for (let c = 0; c < x.channels; c++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        data[(c * h + y) * w + xx] = x.data[(c * x.height + (y >> 1)) * x.width + (xx >> 1)]!;
  return { channels: x.channels, height: h, width: w, data };
}

/** A network that halves the picture (2x2 average pooling), NCHW: its output is not the input's size. */
export function buildHalvingOnnx(): Uint8Array {
  const g = new TestGraph();
  g.node('AveragePool', ['image'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])], 'picture');
  const dims = (prefix: string): Dim[] => [
    { dimValue: 1 },
    { dimValue: 3 },
    { dimParam: `${prefix}H` },
    { dimParam: `${prefix}W` },
  ];
  return g.serialize({ name: 'image', dims: dims('in') }, { name: 'picture', dims: dims('out') });
}
