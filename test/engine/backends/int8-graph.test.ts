/**
 * The int8 network's parts that need no calibration: its graph computes exactly what the float32
 * graph does when nothing is quantized (so every rewrite in it is exact), the histograms calibration
 * reads, and the CPU check `auto` relies on. Synthetic weights: no shared data needed.
 */
import type * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkImage } from '../../../main/engine/backends/backend.js';
import { cpuFlags, detectFastInt8 } from '../../../main/engine/backends/ort/cpu-features.js';
import { Histogram, psnr } from '../../../main/engine/backends/ort/int8-calibration.js';
import {
  activationOf,
  buildInt8OnnxModel,
  CONV_SPECS,
  FLOAT_PLAN,
} from '../../../main/engine/backends/ort/int8-graph.js';
import { buildOnnxModel } from '../../../main/engine/backends/ort/onnx-graph.js';
import { ml5Graph, openSession, runSession } from '../../../main/engine/backends/ort/ort-session.js';
import { syntheticModel } from '../../../main/engine/model/synthetic-model.js';

/** Sides that are and are not multiples of the network's total stride (4), down to one pixel. */
const SIZES = [
  { width: 64, height: 48 },
  { width: 37, height: 45 },
  { width: 101, height: 61 },
  { width: 1, height: 1 },
];

function image({ width, height }: { width: number; height: number }): NetworkImage {
  const data = new Float32Array(width * height * 3).map((_, i) => 127.5 + 127.5 * Math.sin(i * 0.013));
  return { data, width, height };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('the int8 graph without quantization', () => {
  const model = syntheticModel(7);
  let float32: ort.InferenceSession;
  const opened: ort.InferenceSession[] = [];

  beforeAll(async () => {
    float32 = await openSession(ml5Graph(buildOnnxModel(model)), 'cpu', undefined);
    opened.push(float32);
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.release()));
  });

  async function expectSameAsFloat32(bytes: Uint8Array): Promise<void> {
    const session = await openSession(ml5Graph(bytes), 'cpu', undefined);
    opened.push(session);
    for (const size of SIZES) {
      const expected = (await runSession(float32, image(size))).output;
      const actual = (await runSession(session, image(size))).output;
      expect([actual.width, actual.height], `${size.width}x${size.height}`).toEqual([
        expected.width,
        expected.height,
      ]);
      expect(maxAbsDiff(actual.data, expected.data), `${size.width}x${size.height}`).toBeLessThan(0.01);
    }
  }

  it('computes what the float32 graph does, at every size (its space-to-depth rewrites are exact)', async () => {
    await expectSameAsFloat32(buildInt8OnnxModel(model, FLOAT_PLAN));
  });

  it('undoes the activation gains it folds into the instance norms', async () => {
    // A different gain on every channel of every activation between layers, as calibration makes
    // (not the image: no instance norm writes it).
    const activationGains: Record<number, number[]> = {};
    for (const layer of CONV_SPECS.slice(1)) {
      activationGains[activationOf(layer.filter)] = Array.from(
        { length: layer.inChannels },
        (_, c) => 0.25 + ((c * 37) % 16) / 4,
      );
    }
    await expectSameAsFloat32(buildInt8OnnxModel(model, { layers: {}, activationGains }));
    expect(() =>
      buildInt8OnnxModel(model, { layers: {}, activationGains: { [CONV_SPECS[0]!.filter]: [1, 1, 1] } }),
    ).toThrow(/image cannot carry an activation gain/);
  });
});

describe('calibration histograms', () => {
  it('splits a dense bulk from rare far outliers, and says how much error that saves', () => {
    const values = new Float32Array(100_000).map((_, i) => Math.sin(i) * 3);
    for (let i = 0; i < 50; i++) values[i * 997] = 40 + (i % 10);
    const histogram = new Histogram();
    histogram.add(values, 0, values.length);

    const { pieces, share } = histogram.split();
    expect(histogram.range()).toEqual({ min: -3, max: 49 });
    expect(pieces[0]!.min).toBe(-3);
    expect(pieces[1]!.max).toBe(49);
    // The bulk gets the narrow piece, the outliers the wide one.
    expect(pieces[0]!.max).toBeGreaterThanOrEqual(2.9);
    expect(pieces[0]!.max).toBeLessThan(6);
    expect(share).toBeLessThan(0.05);
  });

  it('gives evenly spread values no more than the quarter that halving every step gives', () => {
    const values = new Float32Array(10_000).map((_, i) => i / 10_000);
    const histogram = new Histogram();
    histogram.add(values, 0, values.length);
    expect(histogram.split().share).toBeGreaterThan(0.2);
  });

  it('keeps values it saw before its bins widened, and takes a channel of zeros', () => {
    const histogram = new Histogram();
    histogram.add(new Float32Array(100), 0, 100);
    histogram.add(Float32Array.of(0.001, 0.002), 0, 2);
    histogram.add(Float32Array.of(-500, 1000), 0, 2);
    expect(histogram.range()).toEqual({ min: -500, max: 1000 });
    expect(histogram.split().pieces[0]!.min).toBe(-500);
  });

  it('refuses values that are not finite numbers', () => {
    expect(() => new Histogram().add(Float32Array.of(1, NaN), 0, 2)).toThrow(/not a finite number/);
  });

  it('measures PSNR on values clipped to 0..255', () => {
    expect(psnr([0, 255, 300], [0, 255, 255])).toBe(Infinity);
    // One value in 1000 off by 255: MSE 65.025, 10 log10(255² / 65.025) = 30 dB.
    const reference = new Float32Array(1000).fill(100);
    const test = reference.slice();
    test[0] = 355;
    test[1] = 100;
    expect(psnr(reference, test)).toBeCloseTo(10 * Math.log10(255 ** 2 / ((155 * 155) / 1000)), 6);
    expect(() => psnr([1, 2], [1])).toThrow(/lengths differ/);
  });
});

describe('fast int8 detection', () => {
  const cpuinfo = (flags: string) => () =>
    `processor\t: 0\nflags\t\t: fpu sse avx2 ${flags}\n\nprocessor\t: 1\n`;

  it('counts x64 VNNI (AVX512 or AVX) from /proc/cpuinfo as fast', () => {
    expect(detectFastInt8('linux', 'x64', cpuinfo('avx512f avx512_vnni'))).toEqual({
      fast: true,
      reason: 'the CPU has avx512_vnni',
    });
    expect(detectFastInt8('linux', 'x64', cpuinfo('avx_vnni')).fast).toBe(true);
  });

  it('says which instructions an x64 CPU lacks', () => {
    const found = detectFastInt8('linux', 'x64', cpuinfo('avx512f'));
    expect(found.fast).toBe(false);
    expect(found.reason).toMatch(/none of avx512_vnni, avx_vnni/);
  });

  it('counts arm64 dot product, from Linux Features or on Apple silicon', () => {
    const arm = () => 'processor\t: 0\nFeatures\t: fp asimd asimddp sha3\n';
    expect(detectFastInt8('linux', 'arm64', arm).fast).toBe(true);
    expect(detectFastInt8('darwin', 'arm64').fast).toBe(true);
  });

  it('does not assume fast int8 where it cannot tell, or cannot read /proc/cpuinfo', () => {
    expect(detectFastInt8('win32', 'x64').reason).toMatch(/cannot tell/);
    expect(detectFastInt8('darwin', 'x64').fast).toBe(false);
    const unreadable = detectFastInt8('linux', 'x64', () => {
      throw new Error('EACCES');
    });
    expect(unreadable).toEqual({ fast: false, reason: 'could not read /proc/cpuinfo: EACCES' });
  });

  it('reads the first processor only', () => {
    expect(cpuFlags('flags : a b\nflags : c\n')).toEqual(new Set(['a', 'b']));
  });
});
