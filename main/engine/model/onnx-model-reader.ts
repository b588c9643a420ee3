import onnxProto from 'onnx-proto';
import { ModelError } from './model-errors.js';
import { fileSize, readExactly, resolveInside } from './model-files.js';
import { readSidecar, SIDECAR, type ImageTensorSpec } from './sidecar.js';
import type { OnnxModel } from './style-model.js';

const { onnx } = onnxProto;
type Graph = onnxProto.onnx.IGraphProto;
type Tensor = onnxProto.onnx.ITensorProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;

/**
 * Reads an image-to-image ONNX network (`file` in the model folder `root`) and its `stylemirror.json`.
 *
 * The network is decoded and checked against the sidecar before any runtime sees it: it must be one
 * self-contained file (weights stored as external data would be read from paths the file names, which
 * may lie anywhere), take exactly one input, the one the sidecar names, of float32 pictures in the
 * sidecar's layout with any height and width, and have the output the sidecar names.
 *
 * @throws {ModelError} naming the model, the file and the problem.
 */
export async function readOnnxModel(
  root: string,
  name: string,
  file: string,
  maxBytes: number,
): Promise<OnnxModel> {
  const io = await readSidecar(root, name, 'An ONNX network');
  const real = await resolveInside(root, name, file, { code: 'file-missing', problem: 'is missing.' });
  const size = await fileSize(real);
  if (size > maxBytes) {
    throw new ModelError(
      'too-large',
      name,
      file,
      `is ${size} bytes, over the ${maxBytes}-byte budget for one model.`,
    );
  }
  const bytes = await readExactly(real, size, name, file);

  const invalid = (problem: string): ModelError => new ModelError('network-invalid', name, file, problem);
  let graph: Graph | null | undefined;
  try {
    graph = onnx.ModelProto.decode(bytes).graph;
  } catch (error) {
    throw invalid(`is not an ONNX model (${(error as Error).message}).`);
  }
  if (graph == null || (graph.node ?? []).length === 0)
    throw invalid('is not an ONNX model: it has no graph.');
  checkSelfContained(graph, (problem) => {
    throw new ModelError('unsafe-path', name, file, problem);
  });

  const initialized = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initialized.has(i.name));
  const outputs = graph.output ?? [];
  const input = inputs[0];
  if (inputs.length !== 1 || input === undefined) {
    throw invalid(`takes ${inputs.length} inputs (${list(inputs)}); a style network takes one picture.`);
  }
  const mismatch = (problem: string): ModelError => new ModelError('sidecar-invalid', name, SIDECAR, problem);
  if (input.name !== io.input.name) {
    throw mismatch(
      `names the input ${JSON.stringify(io.input.name)}, but ${file}'s input is ${list([input])}.`,
    );
  }
  const output = outputs.find((o) => o.name === io.output.name);
  if (output === undefined) {
    throw mismatch(
      `names the output ${JSON.stringify(io.output.name)}, but ${file}'s outputs are ${list(outputs)}.`,
    );
  }
  checkImageTensor(input, io.input, 'input', invalid, mismatch);
  checkImageTensor(output, io.output, 'output', invalid, mismatch);
  return { format: 'onnx', name, dir: root, file, bytes, io };
}

/**
 * Checks what the graph declares about a picture tensor. ONNX lets a graph leave its shapes out, and
 * then only running it can tell; a graph that states them is held to them here.
 */
function checkImageTensor(
  value: ValueInfo,
  spec: ImageTensorSpec,
  role: 'input' | 'output',
  invalid: (problem: string) => ModelError,
  mismatch: (problem: string) => ModelError,
): void {
  const label = `${role} ${JSON.stringify(value.name)}`;
  const tensorType = value.type?.tensorType;
  if (tensorType == null) throw invalid(`its ${label} is not a tensor.`);
  if (tensorType.elemType != null && tensorType.elemType !== onnx.TensorProto.DataType.FLOAT) {
    const typeName = onnx.TensorProto.DataType[tensorType.elemType] ?? String(tensorType.elemType);
    throw invalid(`its ${label} holds ${typeName}; Style Mirror exchanges float32 pictures.`);
  }
  const dims = tensorType.shape?.dim;
  if (dims == null) return;
  // dimValue is an int64 (a Long, or a number); an unknown or named dimension has none.
  const fixed = dims.map((d) => (d.dimValue != null ? Number(d.dimValue.toString()) : undefined));
  if (fixed.length !== 4) {
    throw mismatch(`says ${role} layout ${spec.layout}, but ${label} has ${fixed.length} dimensions, not 4.`);
  }
  if (fixed[0] !== undefined && fixed[0] !== 1) {
    throw invalid(
      `its ${label} takes batches of ${fixed[0]}; a style network takes one picture (batch 1, or any).`,
    );
  }
  const [channelAxis, otherAxis] = spec.layout === 'NCHW' ? [1, 3] : [3, 1];
  const channels = fixed[channelAxis];
  // Wrong where this layout's channel dimension is fixed to anything but 3, or free while the other
  // layout's is exactly 3: the usual sign of a sidecar that says NHWC for a PyTorch export, or back.
  if ((channels !== undefined && channels !== 3) || (channels === undefined && fixed[otherAxis] === 3)) {
    const other = spec.layout === 'NCHW' ? 'NHWC' : 'NCHW';
    throw mismatch(
      `says ${role} layout ${spec.layout}, whose colour channels are dimension ${channelAxis}, but ${label} has ${channels ?? 'any size'} there${fixed[otherAxis] === 3 ? ` and 3 at dimension ${otherAxis}. Is the layout ${other}?` : '; an RGB picture has 3.'}`,
    );
  }
  const [height, width] = spec.layout === 'NCHW' ? [fixed[2], fixed[3]] : [fixed[1], fixed[2]];
  if (role === 'input' && (height !== undefined || width !== undefined)) {
    throw invalid(
      `its ${label} takes only ${width ?? 'any'}x${height ?? 'any'} pictures; the mirror's pictures come in every size. Export it with free height and width (torch.onnx.export(..., dynamic_axes={"${value.name}": {${spec.layout === 'NCHW' ? '2: "height", 3: "width"' : '1: "height", 2: "width"'}}})).`,
    );
  }
}

/** Deeper than any real graph nests If/Loop/Scan bodies; it keeps the walk's stack small. */
const MAX_SUBGRAPH_DEPTH = 32;

/**
 * Refuses a graph that keeps any tensor, in the graph or its subgraphs, in another file: onnxruntime
 * would read that file from wherever the path leads.
 */
function checkSelfContained(graph: Graph, fail: (problem: string) => never, depth = 0): void {
  if (depth > MAX_SUBGRAPH_DEPTH) fail(`nests subgraphs more than ${MAX_SUBGRAPH_DEPTH} deep.`);
  const tensors: (Tensor | null | undefined)[] = [
    ...(graph.initializer ?? []),
    ...(graph.sparseInitializer ?? []).flatMap((s) => [s.values, s.indices]),
  ];
  const subgraphs: Graph[] = [];
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      tensors.push(a.t, ...(a.tensors ?? []), a.sparseTensor?.values, a.sparseTensor?.indices);
      for (const s of a.sparseTensors ?? []) tensors.push(s.values, s.indices);
      if (a.g != null) subgraphs.push(a.g);
      subgraphs.push(...(a.graphs ?? []));
    }
  }
  const external = tensors.find(
    (t) =>
      t != null &&
      (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0),
  );
  if (external != null) {
    fail(
      `keeps tensor ${JSON.stringify((external.name ?? '').slice(0, 80))} in an external data file. Save the network as one self-contained .onnx file (onnx.save(model, path, save_as_external_data=False)).`,
    );
  }
  for (const subgraph of subgraphs) checkSelfContained(subgraph, fail, depth + 1);
}

/** Tensor names for a message: quoted inertly, at most five. */
function list(values: readonly ValueInfo[]): string {
  if (values.length === 0) return 'none';
  const names = values.slice(0, 5).map((v) => JSON.stringify((v.name ?? '').slice(0, 80)));
  return names.join(', ') + (values.length > 5 ? `, and ${values.length - 5} more` : '');
}
