import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetworkImage } from '../../../main/engine/backends/backend.js';
import { createOrtBackend } from '../../../main/engine/backends/ort/ort-backend.js';
import { ModelError } from '../../../main/engine/model/model-errors.js';
import { readStyleModel } from '../../../main/engine/model/read-style-model.js';
import {
  buildAffineOnnx,
  buildHalvingOnnx,
  buildTinyStyleOnnx,
  fastNeuralStyleSidecar,
  hwcToPlanes,
  tinyStyleReference,
  tinyStyleWeights,
  writeOnnxFolder,
} from '../../support/onnx-fixtures.js';
import { makeTempDir } from '../../support/model-fixtures.js';

/** A deterministic RGB 0..255 picture with detail at every scale. */
function picture(width: number, height: number): NetworkImage {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 97 + ((i * i) % 251)) % 256;
  return { data, width, height };
}

async function onnxFolder(network: Uint8Array, sidecar: unknown): Promise<string> {
  const dir = path.join(await makeTempDir(), 'generated');
  await writeOnnxFolder(dir, network, sidecar);
  return dir;
}

describe('an ONNX image-to-image network with its sidecar, on onnxruntime', () => {
  const backend = createOrtBackend({ provider: 'cpu' });

  it.each([
    [32, 24],
    // Odd sides: the stride-2 layer rounds up, so the output is larger and must be cropped back.
    [21, 17],
  ])(
    'runs a fast_neural_style miniature at %ix%i as the same math in JavaScript does',
    async (width, height) => {
      const weights = tinyStyleWeights();
      const model = await readStyleModel(
        await onnxFolder(buildTinyStyleOnnx(weights), fastNeuralStyleSidecar()),
      );
      const network = await backend.load(model);
      try {
        const image = picture(width, height);
        const output = await network.run(image);
        expect({ width: output.width, height: output.height }).toEqual({ width, height });

        const reference = tinyStyleReference(weights, hwcToPlanes(image.data, height, width));
        expect(reference.width).toBeGreaterThanOrEqual(width);
        let maxDiff = 0;
        let sum = 0;
        let sumSquares = 0;
        for (let y = 0; y < height; y++)
          for (let x = 0; x < width; x++)
            for (let c = 0; c < 3; c++) {
              const expected = reference.data[(c * reference.height + y) * reference.width + x]!;
              maxDiff = Math.max(maxDiff, Math.abs(output.data[(y * width + x) * 3 + c]! - expected));
              sum += expected;
              sumSquares += expected * expected;
            }
        // float32 against float64 on values of about 0..255.
        expect(maxDiff).toBeLessThan(0.01);
        // The comparison means something only if the picture varies.
        const count = width * height * 3;
        expect(Math.sqrt(sumSquares / count - (sum / count) ** 2)).toBeGreaterThan(5);
      } finally {
        await network.dispose();
      }
    },
  );

  it.each<['NHWC' | 'NCHW', [number, number], [number, number], number, number]>([
    // y = (x + 1) / 2 takes -1..1 to 0..1: with those ranges, the picture comes back as it went in.
    ['NHWC', [-1, 1], [0, 1], 0.5, 0.5],
    // y = 255 x takes 0..1 to 0..255.
    ['NCHW', [0, 1], [0, 255], 255, 0],
  ])('maps layout %s and the ranges %j -> %j exactly', async (layout, inRange, outRange, scale, offset) => {
    const model = await readStyleModel(
      await onnxFolder(buildAffineOnnx(layout, scale, offset), {
        version: 1,
        input: { name: 'image', layout, range: inRange },
        output: { name: 'picture', layout, range: outRange },
      }),
    );
    const network = await backend.load(model);
    try {
      const image = picture(19, 16);
      const output = await network.run(image);
      expect({ width: output.width, height: output.height }).toEqual({ width: 19, height: 16 });
      const maxDiff = image.data.reduce((m, v, i) => Math.max(m, Math.abs(output.data[i]! - v)), 0);
      expect(maxDiff).toBeLessThan(1e-3);
    } finally {
      await network.dispose();
    }
  });

  it('refuses at load a network whose output is not a picture of the input size', async () => {
    const model = await readStyleModel(
      await onnxFolder(buildHalvingOnnx(), {
        version: 1,
        input: { name: 'image', layout: 'NCHW', range: [0, 255] },
        output: { name: 'picture', layout: 'NCHW', range: [0, 255] },
      }),
    );
    const refusal: unknown = await backend.load(model).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(ModelError);
    expect(refusal).toMatchObject({ code: 'network-invalid', model: 'generated', file: 'network.onnx' });
    expect((refusal as Error).message).toContain(
      'returns a [1, 3, 8, 8] output "picture" for a 16x16 picture',
    );
  });

  it.each([
    ['int8', 'int8 asked'],
    ['auto', 'auto'],
  ] as const)('runs float32 whatever is asked (%s), and says why', async (precision, asked) => {
    const model = await readStyleModel(
      await onnxFolder(buildTinyStyleOnnx(tinyStyleWeights()), fastNeuralStyleSidecar()),
    );
    const network = await createOrtBackend({ provider: 'cpu', precision }).load(model);
    try {
      expect(network.info).toMatchObject({
        precision: 'fp32',
        precisionReason: `${asked}: int8 is built from ml5 weights, not an ONNX network, so float32`,
      });
    } finally {
      await network.dispose();
    }
  });
});
