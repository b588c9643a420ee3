import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendFormatError } from '../../main/engine/backends/backend.js';
import { Engine } from '../../main/engine/engine.js';
import type { Frame } from '../../common/frame.js';
import { makeTempDir, writeModelFolder } from '../support/model-fixtures.js';
import {
  fastNeuralStyleSidecar,
  buildTinyStyleOnnx,
  tinyStyleReference,
  tinyStyleWeights,
  writeOnnxFolder,
} from '../support/onnx-fixtures.js';
import { GRAPH_SIDECAR, writeGraphModelFolder } from '../support/tfjs-graph-fixtures.js';

const WEIGHTS = tinyStyleWeights();

// tfjs-converter is not a dependency (yet): where it is installed, graph models run; where not, they are
// refused with words that say so. Each test runs in one of the two cases.
const converterInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-converter');
    return true;
  } catch {
    return false;
  }
})();

/** A 32x24 RGBA frame with detail everywhere and alpha that must come through untouched. */
function frame(): Frame {
  const [width, height] = [32, 24];
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 200 : (i * 53 + ((i * i) % 241)) % 256;
  return { data, width, height, channels: 4 };
}

async function modelFolders(): Promise<{ onnx: string; graph: string; ml5: string; cacheDir: string }> {
  const root = await makeTempDir();
  const folders = {
    onnx: path.join(root, 'tiny-onnx'),
    graph: path.join(root, 'tiny-graph'),
    ml5: path.join(root, 'synthetic-ml5'),
    cacheDir: path.join(root, 'cache'),
  };
  await writeOnnxFolder(folders.onnx, buildTinyStyleOnnx(WEIGHTS), fastNeuralStyleSidecar());
  await writeGraphModelFolder(folders.graph, { sidecar: GRAPH_SIDECAR, scale: 0.5, offset: 0.25 });
  await writeModelFolder(folders.ml5);
  return folders;
}

describe('Engine with models of every format', () => {
  let engine: Engine | undefined;
  afterEach(() => engine?.dispose());

  it('loads an ONNX network on auto as ort, without measuring, and paints a frame as the math says', async () => {
    const folders = await modelFolders();
    engine = new Engine({ cacheDir: folders.cacheDir });
    const status = await engine.loadModel(folders.onnx);
    expect(status).toMatchObject({ model: 'tiny-onnx', backend: { kind: 'ort' } });
    // Only ort runs ONNX: auto had nothing to measure, and must not have cached a measurement.
    expect(existsSync(path.join(folders.cacheDir, 'backend-choice.json'))).toBe(false);

    const input = frame();
    const painted = (await engine.stylize(input)).frame;
    const rgb = new Float64Array(3 * input.width * input.height);
    for (let p = 0; p < input.width * input.height; p++)
      for (let c = 0; c < 3; c++) rgb[c * input.width * input.height + p] = input.data[4 * p + c]!;
    const reference = tinyStyleReference(WEIGHTS, {
      channels: 3,
      height: input.height,
      width: input.width,
      data: rgb,
    });
    let worst = 0;
    for (let p = 0; p < input.width * input.height; p++) {
      for (let c = 0; c < 3; c++) {
        const v = Math.min(255, Math.max(0, reference.data[c * input.width * input.height + p]!));
        // The engine renders as ml5 does: floor(256 v / 255), at most 255.
        const expected = Math.min(255, Math.floor((256 * v) / 255));
        worst = Math.max(worst, Math.abs(painted.data[4 * p + c]! - expected));
      }
      expect(painted.data[4 * p + 3]).toBe(200);
    }
    // float32 rounding may move a value across a whole number, never further.
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('refuses, saying why, a backend that cannot run the format, and keeps the current model', async () => {
    const folders = await modelFolders();
    engine = new Engine({ cacheDir: folders.cacheDir });
    await engine.loadModel(folders.ml5, 'ort');
    const before = engine.status;

    const onTfjs = engine.loadModel(folders.onnx, 'tfjs');
    await expect(onTfjs).rejects.toBeInstanceOf(BackendFormatError);
    await expect(onTfjs).rejects.toMatchObject({
      code: 'backend-cannot-run-format',
      backend: 'tfjs',
      format: 'onnx',
    });
    await expect(onTfjs).rejects.toThrow(
      'Style model "tiny-onnx" is an ONNX network, which the tfjs (TensorFlow.js) backend cannot run; only ort (onnxruntime) can.',
    );
    await expect(engine.loadModel(folders.graph, 'ort')).rejects.toThrow(
      'is a TensorFlow.js graph model, which the ort (onnxruntime) backend cannot run; only tfjs (TensorFlow.js) can.',
    );
    expect(engine.status).toEqual(before);
  });

  it('paints a thumbnail of an ONNX network on ort while an ml5 model is current', async () => {
    const folders = await modelFolders();
    engine = new Engine({ cacheDir: folders.cacheDir });
    await engine.loadModel(folders.ml5, 'ort');
    const thumb = await engine.thumbnail(folders.onnx, frame());
    expect([thumb.width, thumb.height, thumb.channels]).toEqual([32, 24, 4]);
    expect(engine.status?.model).toBe('synthetic-ml5');
  });

  it.runIf(!converterInstalled)(
    'says a tfjs graph model needs @tensorflow/tfjs-converter, which is not installed',
    async () => {
      const folders = await modelFolders();
      engine = new Engine({ cacheDir: folders.cacheDir });
      await expect(engine.loadModel(folders.graph)).rejects.toThrow(
        /"tiny-graph" is a TensorFlow.js graph model, which needs @tensorflow\/tfjs-converter; it is not installed/,
      );
    },
  );

  it.runIf(converterInstalled)(
    'runs a tfjs graph model on tfjs as its sidecar says, leaving no tensor behind',
    async () => {
      const folders = await modelFolders();
      engine = new Engine({ cacheDir: folders.cacheDir });
      // tfjs counts tensors only once a runtime is up: the first load brings it up.
      await engine.loadModel(folders.graph);
      await engine.dispose();
      const tensorsBefore = tf.memory().numTensors;

      expect(await engine.loadModel(folders.graph)).toMatchObject({ backend: { kind: 'tfjs' } });
      const input = frame();
      const painted = (await engine.stylize(input)).frame;
      // 0..1 in, y = 0.5 x + 0.25, 0..1 out: v -> 0.5 v + 63.75, rendered as floor(256 v / 255).
      for (let i = 0; i < input.data.length; i++) {
        const expected = i % 4 === 3 ? 200 : Math.floor((256 * (0.5 * input.data[i]! + 63.75)) / 255);
        expect(Math.abs(painted.data[i]! - expected)).toBeLessThanOrEqual(1);
      }
      await engine.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    },
  );
});
