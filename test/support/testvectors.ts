import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The shared, read-only data folder beside the project (models, test vectors, images). */
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');

const VECTORS_DIR = path.join(SHARED_DIR, 'testvectors');

/** One ml5 0.12.2 reference run: an input frame and the output ml5 computed for it. */
export interface TestVector {
  readonly name: string;
  /** The model's name, e.g. `udnie`. */
  readonly model: string;
  /** Absolute path of the ml5 model folder. */
  readonly modelDir: string;
  /** RGB 0..255 as float32, HWC: exactly what the network is fed. */
  readonly input: Float32Array;
  readonly inputHeight: number;
  readonly inputWidth: number;
  /** The network's unclipped float32 output, HWC. */
  readonly expectedFloat: Float32Array;
  /** The output as ml5 renders it to uint8 (see `renderMl5Uint8`), HWC. */
  readonly expectedRgb: Uint8Array;
  readonly outputHeight: number;
  readonly outputWidth: number;
  /**
   * Max abs difference between the float32 reference and a float64 run of the same network: how much
   * float32 rounding alone moves this model's output (large for ill-conditioned models such as matta).
   */
  readonly float64Deviation: number;
}

interface IndexEntry {
  name: string;
  model: string;
  model_dir: string;
  input_hw: [number, number];
  output_hw: [number, number];
  input_rgb: string;
  out_f32: string;
  out_rgb: string;
  sha256_input_rgb: string;
  sha256_out_f32: string;
  sha256_out_rgb: string;
  numpy_f64_vs_tfjs_f32_maxabs: number;
}

/**
 * Reads every vector listed in `testvectors/index.json`, smallest input first, checking each file
 * against its recorded size and sha256 so a damaged file fails loudly instead of as a tolerance miss.
 */
export async function loadVectors(): Promise<TestVector[]> {
  const index = JSON.parse(await readFile(path.join(VECTORS_DIR, 'index.json'), 'utf8')) as IndexEntry[];
  const vectors = await Promise.all(index.map(loadVector));
  return vectors.sort((a, b) => a.inputHeight * a.inputWidth - b.inputHeight * b.inputWidth);
}

async function loadVector(entry: IndexEntry): Promise<TestVector> {
  if (typeof entry.numpy_f64_vs_tfjs_f32_maxabs !== 'number') {
    throw new Error(`Test vector ${entry.name} records no float64 deviation in index.json.`);
  }
  const [inputHeight, inputWidth] = entry.input_hw;
  const [outputHeight, outputWidth] = entry.output_hw;
  const inputRgb = await readChecked(entry.input_rgb, entry.sha256_input_rgb, inputHeight * inputWidth * 3);
  const outputValues = outputHeight * outputWidth * 3;
  const floatBytes = await readChecked(entry.out_f32, entry.sha256_out_f32, outputValues * 4);
  const expectedRgb = await readChecked(entry.out_rgb, entry.sha256_out_rgb, outputValues);
  const expectedFloat = new Float32Array(outputValues);
  const view = new DataView(floatBytes.buffer, floatBytes.byteOffset, floatBytes.byteLength);
  for (let i = 0; i < outputValues; i++) expectedFloat[i] = view.getFloat32(4 * i, true);
  return {
    name: entry.name,
    model: entry.model,
    modelDir: path.resolve(VECTORS_DIR, entry.model_dir),
    input: Float32Array.from(inputRgb),
    inputHeight,
    inputWidth,
    expectedFloat,
    expectedRgb,
    outputHeight,
    outputWidth,
    float64Deviation: entry.numpy_f64_vs_tfjs_f32_maxabs,
  };
}

async function readChecked(file: string, sha256: string, bytes: number): Promise<Uint8Array> {
  const data = new Uint8Array(await readFile(path.join(VECTORS_DIR, file)));
  if (data.length !== bytes)
    throw new Error(`Test vector file ${file} is ${data.length} bytes, expected ${bytes}.`);
  const actual = createHash('sha256').update(data).digest('hex');
  if (actual !== sha256)
    throw new Error(`Test vector file ${file} has sha256 ${actual}, expected ${sha256}.`);
  return data;
}

/** How far apart two float arrays of equal length are. */
export function compareFloat(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { maxAbs: number; meanAbs: number } {
  if (actual.length !== expected.length) {
    throw new Error(`Cannot compare ${actual.length} values with ${expected.length}.`);
  }
  let maxAbs = 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    // NaN must fail a tolerance check, and Math.max propagates it where a comparison would drop it.
    const diff = Math.abs(actual[i]! - expected[i]!);
    maxAbs = Math.max(maxAbs, diff);
    sum += diff;
  }
  return { maxAbs, meanAbs: actual.length === 0 ? 0 : sum / actual.length };
}

/** The network output as ml5.js 0.12.2 draws it: `min(255, floor(256 * clip(v, 0, 255) / 255))`. */
export function renderMl5Uint8(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(255, Math.max(0, values[i]!));
    out[i] = Math.min(255, Math.floor((256 * v) / 255));
  }
  return out;
}

/** How many values differ by more than `tolerance`. */
export function countUint8Mismatches(actual: Uint8Array, expected: Uint8Array, tolerance: number): number {
  if (actual.length !== expected.length) {
    throw new Error(`Cannot compare ${actual.length} values with ${expected.length}.`);
  }
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > tolerance) count++;
  }
  return count;
}
