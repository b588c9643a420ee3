import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A tfjs-converter graph model written in the test: `model.json` (the GraphDef as JSON, and the
 * weights manifest) and one weight shard, for `output = input * scale + offset` on an NHWC picture.
 */

export const SHARD = 'group1-shard1of1.bin';

export interface GraphModelFolderOptions {
  readonly scale?: number;
  readonly offset?: number;
  /** Edits model.json in place before it is written. */
  readonly modelJson?: (json: Record<string, unknown>) => void;
  /** Decides the shard's bytes; null leaves it out. */
  readonly shard?: (bytes: Uint8Array) => Uint8Array | null;
  /** The sidecar; undefined writes none. */
  readonly sidecar?: unknown;
}

const dtype = { dtype: { type: 'DT_FLOAT' } };
const scalarConst = (name: string) => ({
  name,
  op: 'Const',
  attr: { ...dtype, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {} } } },
});

/** The graph model's sidecar: NHWC, 0..1 in and out, as a Keras export usually is. */
export const GRAPH_SIDECAR = {
  version: 1,
  input: { name: 'input', layout: 'NHWC', range: [0, 1] },
  output: { name: 'output', layout: 'NHWC', range: [0, 1] },
};

export async function writeGraphModelFolder(
  dir: string,
  options: GraphModelFolderOptions = {},
): Promise<void> {
  const modelJson: Record<string, unknown> = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      node: [
        {
          name: 'input',
          op: 'Placeholder',
          attr: {
            ...dtype,
            shape: { shape: { dim: [{ size: '1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } },
          },
        },
        scalarConst('scale'),
        scalarConst('offset'),
        { name: 'scaled', op: 'Mul', input: ['input', 'scale'], attr: { T: { type: 'DT_FLOAT' } } },
        { name: 'output', op: 'AddV2', input: ['scaled', 'offset'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: { producer: 1395 },
    },
    weightsManifest: [
      {
        paths: [SHARD],
        weights: [
          { name: 'scale', shape: [], dtype: 'float32' },
          { name: 'offset', shape: [], dtype: 'float32' },
        ],
      },
    ],
  };
  options.modelJson?.(modelJson);
  const values = new Uint8Array(8);
  new DataView(values.buffer).setFloat32(0, options.scale ?? 1, true);
  new DataView(values.buffer).setFloat32(4, options.offset ?? 0, true);
  const shard = options.shard ? options.shard(values) : values;

  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  if (shard !== null) await writeFile(path.join(dir, SHARD), shard);
  if (options.sidecar !== undefined)
    await writeFile(path.join(dir, 'stylemirror.json'), JSON.stringify(options.sidecar));
}
