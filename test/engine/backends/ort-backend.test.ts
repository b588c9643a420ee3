import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedNetwork } from '../../../main/engine/backends/backend.js';
import { createOrtBackend } from '../../../main/engine/backends/ort/ort-backend.js';
import { renderNetworkOutput } from '../../../main/engine/frame/pixel-ops.js';
import { readMl5Model } from '../../../main/engine/model/ml5-model-reader.js';
import {
  compareFloat,
  countUint8Mismatches,
  loadVectors,
  SHARED_DIR,
  type TestVector,
} from '../../support/testvectors.js';

// Tolerances from ../shared/testvectors/README.md.
const FLOAT_TOLERANCE = 0.05;
const MAX_UINT8_MISMATCH_FRACTION = 0.001;

const vectors = await loadVectors();

describe('onnxruntime backend on the CPU provider', () => {
  const networks = new Map<string, LoadedNetwork>();
  const backend = createOrtBackend({ provider: 'cpu' });

  async function networkFor(vector: TestVector): Promise<LoadedNetwork> {
    let network = networks.get(vector.model);
    if (network === undefined) {
      network = await backend.load(await readMl5Model(vector.modelDir));
      networks.set(vector.model, network);
    }
    return network;
  }

  afterAll(async () => {
    await Promise.all([...networks.values()].map((n) => n.dispose()));
  });

  it.each(vectors.map((v) => [v.name, v] as const))('matches ml5 0.12.2 on %s', async (_name, vector) => {
    const network = await networkFor(vector);
    const output = await network.run({
      data: vector.input,
      height: vector.inputHeight,
      width: vector.inputWidth,
    });

    expect([output.height, output.width]).toEqual([vector.outputHeight, vector.outputWidth]);
    expect(compareFloat(output.data, vector.expectedFloat).maxAbs).toBeLessThanOrEqual(FLOAT_TOLERANCE);

    // The product's own rendering, not a test-side copy of it, must give ml5's pixels.
    const rendered = renderNetworkOutput(output, output.width, output.height);
    expect(countUint8Mismatches(rendered, vector.expectedRgb, 1)).toBe(0);
    const offByOne = countUint8Mismatches(rendered, vector.expectedRgb, 0);
    expect(offByOne / rendered.length).toBeLessThanOrEqual(MAX_UINT8_MISMATCH_FRACTION);
  });

  it('reports the CPU honestly', async () => {
    const network = await networkFor(vectors[0]!);
    expect(network.info).toMatchObject({ kind: 'ort', runtime: 'cpu', device: 'CPU' });
  });

  it('refuses malformed images with a clear error and keeps working', async () => {
    const network = await networkFor(vectors[0]!);
    await expect(network.run({ data: new Float32Array(10), height: 4, width: 4 })).rejects.toThrow(
      /4x4 RGB needs 48 float32 values, got 10/,
    );
    await expect(network.run({ data: new Float32Array(0), height: 0, width: 4 })).rejects.toThrow(
      /at least 1x1/,
    );
    const ok = await network.run({ data: new Float32Array(20 * 12 * 3).fill(128), height: 12, width: 20 });
    expect([ok.height, ok.width]).toEqual([12, 20]);
  });

  it('is unusable after dispose, and dispose twice is harmless', async () => {
    const network = await backend.load(await readMl5Model(path.join(SHARED_DIR, 'models/ml5/wave')));
    await network.dispose();
    await network.dispose();
    await expect(network.run({ data: new Float32Array(16 * 16 * 3), height: 16, width: 16 })).rejects.toThrow(
      /disposed/,
    );
  });
});

describe('onnxruntime provider fallback', () => {
  let model: Awaited<ReturnType<typeof readMl5Model>>;
  beforeAll(async () => {
    model = await readMl5Model(path.join(SHARED_DIR, 'models/ml5/scream'));
  });

  const cudaLibrary = path.resolve(
    'node_modules/onnxruntime-node/bin/napi-v6',
    process.platform,
    process.arch,
    'libonnxruntime_providers_cuda.so',
  );

  it.skipIf(existsSync(cudaLibrary))(
    'says why CUDA is not used when its provider is not installed',
    async () => {
      await expect(createOrtBackend({ provider: 'cuda' }).load(model)).rejects.toThrow(
        /scream.*cuda: the CUDA provider \(libonnxruntime_providers_cuda\.so\) is not installed/,
      );
      const network = await createOrtBackend({ provider: 'auto' }).load(model);
      try {
        expect(network.info.runtime).toBe('cpu');
        expect(network.info.fallbackReason).toMatch(/cuda: .*not installed/);
      } finally {
        await network.dispose();
      }
    },
  );
});
