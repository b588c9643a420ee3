import { z } from 'zod';
import { ModelError } from './model-errors.js';
import { checkPlainFileName, fileSize, readExactly, readJsonFile, resolveInside } from './model-files.js';
import { readSidecar, SIDECAR } from './sidecar.js';
import type { TfjsGraphModel, TfjsWeightSpec } from './style-model.js';

/** The file that makes a folder a tfjs graph model (with `stylemirror.json` beside it). */
export const TFJS_MODEL_JSON = 'model.json';

/** A style network's model.json is ~100 KiB; large detection networks' reach a few MiB. */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;

/** Bytes per stored value, by storage type: the dtype, or the quantization dtype when quantized. */
const BYTES_PER_VALUE = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 } as const;

const weightSpecSchema = z
  .object({
    name: z.string().min(1).max(1024),
    shape: z
      .array(
        z
          .int()
          .min(0)
          .max(2 ** 31),
      )
      .max(8),
    // tfjs also knows string and complex64; neither belongs in an image network's weights.
    dtype: z.enum(['float32', 'int32', 'bool']),
    quantization: z
      .object({ dtype: z.enum(['uint8', 'uint16', 'float16']) })
      .loose()
      .optional(),
  })
  // Fields tfjs may add later travel on to it untouched; the sizes above are checked either way.
  .loose();

const modelJsonSchema = z
  .object({
    format: z.string().max(64).optional(),
    modelTopology: z.object({ node: z.array(z.unknown()).min(1).max(1_000_000) }).loose(),
    weightsManifest: z
      .array(
        z.object({
          paths: z.array(z.string().max(1024)).min(1).max(10_000),
          weights: z.array(weightSpecSchema).max(1_000_000),
        }),
      )
      .max(10_000),
  })
  .loose();

/**
 * Reads a tfjs-converter graph model (`model.json` + weight shards, `tensorflowjs_converter
 * --output_format=tfjs_graph_model`) and its `stylemirror.json`.
 *
 * Every shard must be a plain file directly in the folder, each weight group's shards together exactly
 * the bytes its weights need, all of them within the budget, and the sidecar's tensors nodes of the
 * graph. The graph itself is left to tfjs-converter to interpret.
 *
 * @throws {ModelError} naming the model, the file and the problem.
 */
export async function readTfjsGraphModel(
  root: string,
  name: string,
  maxBytes: number,
): Promise<TfjsGraphModel> {
  const io = await readSidecar(root, name, 'A TensorFlow.js graph model');
  const file = await resolveInside(root, name, TFJS_MODEL_JSON, {
    code: 'file-missing',
    problem: 'is missing.',
  });
  const json = await readJsonFile(file, MAX_MODEL_JSON_BYTES, name, TFJS_MODEL_JSON, 'network-invalid');
  const invalid = (problem: string): ModelError =>
    new ModelError('network-invalid', name, TFJS_MODEL_JSON, problem);

  const format = (json as { format?: unknown } | null)?.format;
  if (format !== undefined && format !== 'graph-model') {
    throw invalid(
      `is a ${JSON.stringify(String(format).slice(0, 40))}, not a graph model. Convert the network with tensorflowjs_converter --output_format=tfjs_graph_model.`,
    );
  }
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`is not a tfjs graph model (${issue.path.join('.') || 'top level'}: ${issue.message}).`);
  }
  const { modelTopology, weightsManifest } = parsed.data;

  const nodeNames = new Set(
    modelTopology.node
      .map((n) => (n as { name?: unknown } | null)?.name)
      .filter((n) => typeof n === 'string'),
  );
  for (const [role, spec] of [
    ['input', io.input],
    ['output', io.output],
  ] as const) {
    // A tensor is named "node" or "node:k", for the node's k-th output.
    if (!nodeNames.has(spec.name.replace(/:\d+$/, ''))) {
      throw new ModelError(
        'sidecar-invalid',
        name,
        SIDECAR,
        `names the ${role} ${JSON.stringify(spec.name)}, but model.json's graph has no such node.`,
      );
    }
  }

  // Sizes first, for every shard, so a bad one costs no reading.
  const shards: { real: string; path: string; size: number }[] = [];
  let total = 0;
  for (const group of weightsManifest) {
    let groupBytes = 0;
    for (const weight of group.weights) {
      const values = weight.shape.reduce((a, b) => a * b, 1);
      groupBytes += values * BYTES_PER_VALUE[weight.quantization?.dtype ?? weight.dtype];
    }
    let shardBytes = 0;
    for (const shard of group.paths) {
      checkPlainFileName(name, shard, 'Weight shards');
      const real = await resolveInside(root, name, shard, {
        code: 'file-missing',
        problem: `is listed in model.json but not in ${root}.`,
      });
      const size = await fileSize(real);
      shardBytes += size;
      total += size;
      if (total > maxBytes) {
        throw new ModelError(
          'too-large',
          name,
          shard,
          `weights exceed the ${maxBytes}-byte budget for one model.`,
        );
      }
      shards.push({ real, path: shard, size });
    }
    if (shardBytes !== groupBytes) {
      throw new ModelError(
        'file-size-mismatch',
        name,
        group.paths[0],
        `and the other shards of its group hold ${shardBytes} bytes, but their ${group.weights.length} weights need exactly ${groupBytes}.`,
      );
    }
  }

  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(await readExactly(shard.real, shard.size, name, shard.path), offset);
    offset += shard.size;
  }
  return {
    format: 'tfjs-graph',
    name,
    dir: root,
    modelTopology,
    weightSpecs: weightsManifest.flatMap((g) => g.weights) as TfjsWeightSpec[],
    weightData: weightData.buffer,
    io,
  };
}
