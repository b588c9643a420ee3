import { z } from 'zod';
import { ModelError } from './model-errors.js';
import { readJsonFile, resolveInside } from './model-files.js';

/**
 * `stylemirror.json`: what an ONNX or tfjs graph network cannot say about itself, namely which tensor
 * is the picture going in and which the picture coming out, their axis order and their value range.
 * An ml5 folder needs none: its network is always the same.
 */
export const SIDECAR = 'stylemirror.json';

/** Real sidecars are a few hundred bytes. */
export const MAX_SIDECAR_BYTES = 64 * 1024;

/** Far beyond any real value range (0..255 is the widest in use), and still exact in float32. */
const RANGE_LIMIT = 1e6;
const rangeEnd = z.number().min(-RANGE_LIMIT).max(RANGE_LIMIT);

const imageTensorSchema = z.strictObject({
  /** The tensor's name in the network (an ONNX graph input/output, a tfjs graph node). */
  name: z.string().min(1).max(256),
  /** Batch of one, then height/width/channels (NHWC, TensorFlow's) or channels/height/width (NCHW, PyTorch's). */
  layout: z.enum(['NHWC', 'NCHW']),
  /** The values black and white have: [0, 255], [0, 1], [-1, 1]; RGB order. */
  range: z
    .tuple([rangeEnd, rangeEnd])
    .refine(([low, high]) => low < high, 'must be [low, high] with low < high'),
});

export const sidecarSchema = z.strictObject({
  version: z.literal(1),
  input: imageTensorSchema,
  output: imageTensorSchema,
});

/** How a network's picture tensor is laid out: see {@link sidecarSchema}. */
export type ImageTensorSpec = z.output<typeof imageTensorSchema>;
/** The sidecar: the network's input and output pictures. */
export type ImageIo = z.output<typeof sidecarSchema>;

/** What to write, for the error that says a sidecar is missing. */
const EXAMPLE =
  '{"version": 1, "input": {"name": "input", "layout": "NCHW", "range": [0, 255]}, "output": {"name": "output", "layout": "NCHW", "range": [0, 255]}}';

/**
 * Reads and validates `stylemirror.json` in the model folder `root`.
 *
 * @param network what the sidecar describes, for the message when it is missing (`an ONNX network`).
 * @throws {ModelError} `sidecar-missing` or `sidecar-invalid`, naming the problem.
 */
export async function readSidecar(root: string, name: string, network: string): Promise<ImageIo> {
  const file = await resolveInside(root, name, SIDECAR, {
    code: 'sidecar-missing',
    problem: `is missing. ${network} needs it to say which tensors are the picture in and out, their layout and value range, e.g. ${EXAMPLE}`,
  });
  const parsed = sidecarSchema.safeParse(
    await readJsonFile(file, MAX_SIDECAR_BYTES, name, SIDECAR, 'sidecar-invalid'),
  );
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'top level'}: ${issueText(i)}`)
    .join('; ');
  throw new ModelError(
    'sidecar-invalid',
    name,
    SIDECAR,
    `is not a valid sidecar (${issues}). Example: ${EXAMPLE}`,
  );
}

/** zod's words, except for unknown keys: those come from the file, and are quoted inertly. */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  return `unknown key ${issue.keys.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`;
}
