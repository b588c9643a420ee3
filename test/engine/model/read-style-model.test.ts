import { mkdir, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ModelError, type ModelErrorCode } from '../../../main/engine/model/model-errors.js';
import {
  detectModelFormat,
  MAX_FOLDER_ENTRIES,
  readStyleModel,
  type StyleModelReadOptions,
} from '../../../main/engine/model/read-style-model.js';
import { MAX_SIDECAR_BYTES } from '../../../main/engine/model/sidecar.js';
import { makeTempDir, writeModelFolder } from '../../support/model-fixtures.js';
import {
  buildAffineOnnx,
  buildTinyStyleOnnx,
  fastNeuralStyleSidecar,
  tinyStyleWeights,
  writeOnnxFolder,
} from '../../support/onnx-fixtures.js';
import { GRAPH_SIDECAR, SHARD, writeGraphModelFolder } from '../../support/tfjs-graph-fixtures.js';

const NAME = 'hostile-fixture';
const NETWORK = buildTinyStyleOnnx(tinyStyleWeights());

async function folder(): Promise<string> {
  return path.join(await makeTempDir(), NAME);
}

async function onnxFolder(sidecar: unknown = fastNeuralStyleSidecar(), network = NETWORK): Promise<string> {
  const dir = await folder();
  await writeOnnxFolder(dir, network, sidecar);
  return dir;
}

async function graphFolder(options: Parameters<typeof writeGraphModelFolder>[1] = {}): Promise<string> {
  const dir = await folder();
  await writeGraphModelFolder(dir, { sidecar: GRAPH_SIDECAR, ...options });
  return dir;
}

/** Reads `dir` expecting a ModelError with `code` about `file`, its message naming both, and `problem`. */
async function expectRefused(
  dir: string,
  code: ModelErrorCode,
  file: string | undefined,
  problem: string,
  options?: StyleModelReadOptions,
): Promise<void> {
  const error: unknown = await readStyleModel(dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelError);
  const refusal = error as ModelError;
  expect({ code: refusal.code, model: refusal.model, file: refusal.file }).toEqual({
    code,
    model: NAME,
    file,
  });
  expect(refusal.message).toContain(JSON.stringify(NAME));
  if (file !== undefined) expect(refusal.message).toContain(JSON.stringify(file));
  expect(refusal.message).toContain(problem);
  expect(refusal.message).not.toContain('\n');
}

describe('detectModelFormat', () => {
  it.each<[string, (dir: string) => Promise<void>, string, string]>([
    ['an ml5 folder', (dir) => writeModelFolder(dir), 'ml5', 'manifest.json'],
    [
      'an ONNX folder',
      (dir) => writeOnnxFolder(dir, NETWORK, fastNeuralStyleSidecar()),
      'onnx',
      'network.onnx',
    ],
    [
      'an ONNX file in capitals',
      (dir) => writeOnnxFolder(dir, NETWORK, undefined, 'Udnie.ONNX'),
      'onnx',
      'Udnie.ONNX',
    ],
    [
      'a tfjs graph model',
      (dir) => writeGraphModelFolder(dir, { sidecar: GRAPH_SIDECAR }),
      'tfjs-graph',
      'model.json',
    ],
  ])('tells %s by its file names', async (_, write, format, file) => {
    const dir = await folder();
    await write(dir);
    expect(await detectModelFormat(dir)).toEqual({ format, file, dir: await realpath(dir) });
  });

  it('refuses a folder holding no model, saying what one holds', async () => {
    const dir = await folder();
    await mkdir(dir);
    await writeFile(path.join(dir, 'style.jpg'), '');
    await expectRefused(
      dir,
      'model-missing',
      undefined,
      'an ONNX network has one .onnx file and stylemirror.json',
    );
  });

  it('refuses a sidecar with no network beside it', async () => {
    const dir = await onnxFolder();
    await rename(path.join(dir, 'network.onnx'), path.join(dir, 'network.onnx.bak'));
    await expectRefused(dir, 'model-missing', undefined, 'It has stylemirror.json but no network beside it');
  });

  it('refuses a folder holding two formats', async () => {
    const dir = await onnxFolder();
    await writeModelFolder(dir);
    await expectRefused(
      dir,
      'format-ambiguous',
      undefined,
      '"manifest.json" (an ml5 style model) and "network.onnx"',
    );
  });

  it('refuses a folder holding two ONNX networks', async () => {
    const dir = await onnxFolder();
    await writeFile(path.join(dir, 'another.onnx'), NETWORK);
    await expectRefused(
      dir,
      'format-ambiguous',
      undefined,
      'several ONNX files ("another.onnx", "network.onnx")',
    );
  });

  it(`refuses a folder of more than ${MAX_FOLDER_ENTRIES} entries without reading them all`, async () => {
    const dir = await onnxFolder();
    for (let i = 0; i < MAX_FOLDER_ENTRIES; i++) await writeFile(path.join(dir, `extra-${i}`), '');
    await expectRefused(dir, 'too-large', undefined, `more than ${MAX_FOLDER_ENTRIES} files`);
  });
});

describe('readStyleModel on an ONNX network', () => {
  it('reads the network and its sidecar', async () => {
    const dir = await onnxFolder();
    const model = await readStyleModel(dir);
    expect(model).toMatchObject({
      format: 'onnx',
      name: NAME,
      dir: await realpath(dir),
      file: 'network.onnx',
    });
    if (model.format !== 'onnx') throw new Error('unreachable');
    expect(Buffer.from(model.bytes).equals(Buffer.from(NETWORK))).toBe(true);
    expect(model.io).toEqual(fastNeuralStyleSidecar());
  });

  it('refuses it without a sidecar, showing one to write', async () => {
    const dir = await onnxFolder();
    await rm(path.join(dir, 'stylemirror.json'));
    await expectRefused(dir, 'sidecar-missing', 'stylemirror.json', '"layout": "NCHW", "range": [0, 255]');
  });

  it.each<[string, (sidecar: Record<string, unknown>) => unknown, string]>([
    ['an unknown key', (s) => ({ ...s, colours: 'BGR' }), 'unknown key "colours"'],
    ['an unknown key with a newline', (s) => ({ ...s, 'x\n\u001b[31m': 1 }), 'unknown key "x\\n\\u001b[31m"'],
    ['version 2', (s) => ({ ...s, version: 2 }), 'version'],
    ['no output', (s) => ({ ...s, output: undefined }), 'output'],
    [
      'a layout of CHW',
      (s) => ({ ...s, input: { name: 'input', layout: 'CHW', range: [0, 255] } }),
      'input.layout',
    ],
    [
      'a reversed range',
      (s) => ({ ...s, input: { name: 'input', layout: 'NCHW', range: [255, 0] } }),
      'low < high',
    ],
    [
      'a range of one value',
      (s) => ({ ...s, output: { name: 'output', layout: 'NCHW', range: [1] } }),
      'output.range',
    ],
    [
      'a huge range',
      (s) => ({ ...s, output: { name: 'output', layout: 'NCHW', range: [0, 1e300] } }),
      'output.range',
    ],
    [
      'an empty tensor name',
      (s) => ({ ...s, input: { name: '', layout: 'NCHW', range: [0, 255] } }),
      'input.name',
    ],
    ['an array', () => [], 'top level'],
  ])('refuses a sidecar with %s', async (_, edit, problem) => {
    const dir = await onnxFolder(edit(fastNeuralStyleSidecar() as Record<string, unknown>));
    await expectRefused(dir, 'sidecar-invalid', 'stylemirror.json', problem);
  });

  it.each<[string, (text: string) => Buffer, string]>([
    ['repeats a key', (t) => Buffer.from(t.replace('{', '{"version": 1,')), 'repeats the key "version"'],
    ['is not UTF-8', (t) => Buffer.concat([Buffer.from(t), Buffer.from([0xff])]), 'not UTF-8'],
    ['is not JSON', (t) => Buffer.from(t.slice(1)), 'not valid JSON'],
    [
      'is over its size limit',
      (t) => Buffer.from(t + ' '.repeat(MAX_SIDECAR_BYTES)),
      `${MAX_SIDECAR_BYTES}-byte limit`,
    ],
  ])('refuses a sidecar that %s', async (_, edit, problem) => {
    const dir = await onnxFolder();
    const file = path.join(dir, 'stylemirror.json');
    await writeFile(file, edit(await readFile(file, 'utf8')));
    await expectRefused(dir, 'sidecar-invalid', 'stylemirror.json', problem);
  });

  it('refuses a sidecar that links outside the folder', async () => {
    const dir = await onnxFolder();
    await rename(path.join(dir, 'stylemirror.json'), path.join(dir, '..', 'outside.json'));
    await symlink(path.join(dir, '..', 'outside.json'), path.join(dir, 'stylemirror.json'));
    await expectRefused(dir, 'unsafe-path', 'stylemirror.json', 'outside the model folder');
  });

  it.each([
    ['input', 'x', 'names the input "x", but network.onnx\'s input is "input"'],
    ['output', 'y', 'names the output "y", but network.onnx\'s outputs are "output"'],
  ])('refuses a sidecar naming an %s the network lacks', async (role, name, problem) => {
    const sidecar = fastNeuralStyleSidecar() as Record<string, Record<string, unknown>>;
    sidecar[role]!.name = name;
    await expectRefused(await onnxFolder(sidecar), 'sidecar-invalid', 'stylemirror.json', problem);
  });

  it('refuses a sidecar whose layout puts the channels where the network has height, naming the other layout', async () => {
    const sidecar = { ...GRAPH_SIDECAR, input: { name: 'input', layout: 'NHWC', range: [0, 255] } };
    await expectRefused(
      await onnxFolder(sidecar),
      'sidecar-invalid',
      'stylemirror.json',
      'Is the layout NCHW?',
    );
  });

  it('refuses a network that takes only one picture size', async () => {
    const dir = await onnxFolder(
      fastNeuralStyleSidecar(),
      buildTinyStyleOnnx(tinyStyleWeights(), { fixedSize: [224, 224] }),
    );
    await expectRefused(dir, 'network-invalid', 'network.onnx', 'takes only 224x224 pictures');
  });

  it('refuses a network that keeps weights in an external file', async () => {
    const network = buildTinyStyleOnnx(tinyStyleWeights(), { externalData: '../../../etc/passwd' });
    await expectRefused(
      await onnxFolder(fastNeuralStyleSidecar(), network),
      'unsafe-path',
      'network.onnx',
      'external data file',
    );
  });

  it.each([
    ['bytes that are not protobuf', Buffer.from('not an onnx file, just text')],
    ['an empty file', Buffer.alloc(0)],
  ])('refuses %s', async (_, bytes) => {
    await expectRefused(
      await onnxFolder(fastNeuralStyleSidecar(), bytes),
      'network-invalid',
      'network.onnx',
      'is not an ONNX model',
    );
  });

  it("refuses a network with the sidecar's names but a picture of another type", async () => {
    const sidecar = {
      version: 1,
      input: { name: 'image', layout: 'NHWC', range: [0, 1] },
      output: { name: 'picture', layout: 'NHWC', range: [0, 1] },
    };
    const dir = await onnxFolder(
      sidecar,
      buildAffineOnnx('NHWC', 1, 0, onnxProto.onnx.TensorProto.DataType.UINT8),
    );
    await expectRefused(dir, 'network-invalid', 'network.onnx', 'holds UINT8');
  });

  it('refuses a network over the budget, and one that links outside the folder', async () => {
    const dir = await onnxFolder();
    await expectRefused(dir, 'too-large', 'network.onnx', `over the ${NETWORK.length - 1}-byte budget`, {
      maxTotalBytes: NETWORK.length - 1,
    });
    await readStyleModel(dir, { maxTotalBytes: NETWORK.length });
    await rename(path.join(dir, 'network.onnx'), path.join(dir, '..', 'network.onnx'));
    await symlink(path.join(dir, '..', 'network.onnx'), path.join(dir, 'network.onnx'));
    await expectRefused(dir, 'unsafe-path', 'network.onnx', 'outside the model folder');
  });
});

describe('readStyleModel on a tfjs graph model', () => {
  it('reads model.json, the shard and the sidecar as tfjs ModelArtifacts', async () => {
    const dir = await graphFolder({ scale: 2, offset: -0.5 });
    const model = await readStyleModel(dir);
    if (model.format !== 'tfjs-graph') throw new Error(`read as ${model.format}`);
    expect(model.io).toEqual(GRAPH_SIDECAR);
    expect(model.weightSpecs.map((w) => w.name)).toEqual(['scale', 'offset']);
    expect([...new Float32Array(model.weightData)]).toEqual([2, -0.5]);
    expect(model.modelTopology.node).toHaveLength(5);
  });

  it('refuses it without a sidecar', async () => {
    await expectRefused(
      await graphFolder({ sidecar: undefined }),
      'sidecar-missing',
      'stylemirror.json',
      'A TensorFlow.js graph model needs it',
    );
  });

  it.each<[string, Parameters<typeof writeGraphModelFolder>[1], ModelErrorCode, string, string]>([
    [
      'a short shard',
      { shard: (b) => b.subarray(1) },
      'file-size-mismatch',
      SHARD,
      'hold 7 bytes, but their 2 weights need exactly 8',
    ],
    ['a missing shard', { shard: () => null }, 'file-missing', SHARD, 'listed in model.json'],
    [
      'a shard path that leaves the folder',
      { modelJson: (j) => ((j.weightsManifest as { paths: string[] }[])[0]!.paths = ['../shard.bin']) },
      'unsafe-path',
      '../shard.bin',
      'not a plain file name',
    ],
    [
      'a layers model',
      { modelJson: (j) => (j.format = 'layers-model') },
      'network-invalid',
      'model.json',
      'is a "layers-model", not a graph model',
    ],
    [
      'a string weight',
      {
        modelJson: (j) =>
          ((j.weightsManifest as { weights: { dtype: string }[] }[])[0]!.weights[0]!.dtype = 'string'),
      },
      'network-invalid',
      'model.json',
      'weightsManifest.0.weights.0.dtype',
    ],
    [
      'no graph',
      { modelJson: (j) => (j.modelTopology = {}) },
      'network-invalid',
      'model.json',
      'modelTopology.node',
    ],
    [
      'a sidecar naming no node of the graph',
      { sidecar: { ...GRAPH_SIDECAR, output: { ...GRAPH_SIDECAR.output, name: 'Identity:0' } } },
      'sidecar-invalid',
      'stylemirror.json',
      'names the output "Identity:0", but model.json\'s graph has no such node',
    ],
  ])('refuses %s', async (_, options, code, file, problem) => {
    await expectRefused(await graphFolder(options), code, file, problem);
  });

  it('refuses a model.json that repeats a key', async () => {
    const dir = await graphFolder();
    const file = path.join(dir, 'model.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('{', '{"weightsManifest": [],'));
    await expectRefused(dir, 'network-invalid', 'model.json', 'repeats the key "weightsManifest"');
  });

  it('refuses weights over the budget', async () => {
    await expectRefused(await graphFolder(), 'too-large', SHARD, 'exceed the 7-byte budget', {
      maxTotalBytes: 7,
    });
  });
});
