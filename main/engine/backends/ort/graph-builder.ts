import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Opset 13 has every op we use, and onnxruntime, DirectML and CoreML all run it. */
const OPSET = 13;
/** IR version 7 goes with opset 13. */
const IR_VERSION = 7;

/** ONNX attributes are typed: scalars say which type they are, lists are always INTS here. */
export type Attribute = { readonly int: number } | { readonly float: number } | string | number[];

/** A graph input or output: float32, with named (symbolic) or fixed dimensions, or no declared shape. */
export interface GraphValue {
  readonly name: string;
  readonly dims?: readonly (string | number)[];
}

/** Accumulates nodes and initializers with unique names; a thin layer over the onnx-proto messages. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly extraOutputs: string[] = [];
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

  /** Makes an intermediate tensor a graph output as well (float32, shape undeclared); returns its name. */
  output(name: string): string {
    this.extraOutputs.push(name);
    return name;
  }

  float(name: string, dims: number[], values: Float32Array): string {
    return this.raw(name, dims, onnx.TensorProto.DataType.FLOAT, values);
  }

  uint8(name: string, dims: number[], values: Uint8Array): string {
    return this.raw(name, dims, onnx.TensorProto.DataType.UINT8, values);
  }

  int8(name: string, dims: number[], values: Int8Array): string {
    return this.raw(name, dims, onnx.TensorProto.DataType.INT8, values);
  }

  int32(name: string, dims: number[], values: Int32Array): string {
    return this.raw(name, dims, onnx.TensorProto.DataType.INT32, values);
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

  /** rawData is the little-endian bytes; typed arrays are little-endian on every platform we ship to. */
  private raw(name: string, dims: number[], dataType: number, values: ArrayBufferView): string {
    this.initializers.push({
      name,
      dims,
      dataType,
      rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    });
    return name;
  }

  serialize(graphName: string, input: GraphValue, output: GraphValue): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'style-mirror',
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(input)],
        output: [valueInfo(output), ...this.extraOutputs.map((name) => valueInfo({ name }))],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo({ name, dims }: GraphValue): onnxProto.onnx.IValueInfoProto {
  const shape =
    dims === undefined
      ? {}
      : { shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } };
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, ...shape } } };
}

function attribute(name: string, value: Attribute): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  return { name, type: AttributeType.FLOAT, f: value.float };
}
