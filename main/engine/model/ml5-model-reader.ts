import path from 'node:path';
import { VARIABLE_COUNT, VARIABLE_SHAPES, variableName } from './architecture.js';
import type { Ml5Model } from './ml5-model.js';
import { ModelError } from './model-errors.js';
import {
  checkPlainFileName,
  DEFAULT_MAX_TOTAL_BYTES,
  fileSize,
  readExactly,
  readJsonFile,
  resolveInside,
  resolveModelFolder,
  type MissingFile,
} from './model-files.js';

/** Limits that keep a hostile folder from costing more than a real model does. */
export interface Ml5ReadOptions {
  /** Name to report in errors and the UI; defaults to the folder's name. */
  readonly name?: string;
  /** Largest `manifest.json` accepted. Real ones are ~5 KiB; trained ones with optimizer slots ~20 KiB. */
  readonly maxManifestBytes?: number;
  /** Budget for all weight bytes together. The architecture needs 6.7 MB. */
  readonly maxTotalBytes?: number;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 1024 * 1024;
export { DEFAULT_MAX_TOTAL_BYTES } from './model-files.js';

/** The file that makes a folder an ml5 model. */
export const ML5_MANIFEST = 'manifest.json';

/** The one weight type ml5 writes; an entry may say so (`"dtype": "float32"`) or leave it out. */
const FLOAT32 = 'float32';

interface ManifestEntry {
  readonly filename: string;
  readonly shape: readonly number[];
}

/**
 * Reads and validates an ml5 style-transfer model folder (`manifest.json` + raw float32 little-endian
 * weight files, as ml5's training workflow writes it).
 *
 * Everything is checked before any weight is decoded: the 48 variables the architecture uses must be
 * present with exactly the right shapes, each file must be a regular file inside the folder of exactly
 * `4 * product(shape)` bytes, and the total must fit the budget. Extra manifest entries (optimizer
 * slots such as `Variable_3/Adam`, `beta1_power`) are ignored. Decoded values must be finite.
 * The manifest must be strict JSON (UTF-8, no repeated key, bounded nesting), and an entry that names a
 * `dtype` other than float32 is refused rather than misread as float32.
 *
 * @throws {ModelError} naming the model, the file and the problem.
 */
export async function readMl5Model(dir: string, options: Ml5ReadOptions = {}): Promise<Ml5Model> {
  const name = options.name ?? path.basename(path.resolve(dir));
  const maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;

  const root = await resolveModelFolder(dir, name);
  const entries = await readManifest(root, name, maxManifestBytes);

  // Validate every file's place and size first, so a bad file costs no decoding work.
  const files: string[] = [];
  let totalBytes = 0;
  for (let k = 0; k < VARIABLE_COUNT; k++) {
    const entry = entries[k]!;
    const expectedBytes = 4 * product(entry.shape);
    const file = await resolveWeightFile(root, name, entry.filename);
    const size = await fileSize(file);
    if (size !== expectedBytes) {
      throw new ModelError(
        'file-size-mismatch',
        name,
        entry.filename,
        `is ${size} bytes, but shape [${entry.shape.join(', ')}] as float32 needs exactly ${expectedBytes}. The file is truncated or not this variable.`,
      );
    }
    totalBytes += size;
    if (totalBytes > maxTotalBytes) {
      throw new ModelError(
        'too-large',
        name,
        entry.filename,
        `weights exceed the ${maxTotalBytes}-byte budget for one model.`,
      );
    }
    files.push(file);
  }

  const weights: Float32Array[] = [];
  for (let k = 0; k < VARIABLE_COUNT; k++) {
    weights.push(await decodeFloat32(files[k]!, 4 * product(entries[k]!.shape), name, entries[k]!.filename));
  }
  return { format: 'ml5', name, dir: root, weights };
}

/** Returns the manifest entries of the 48 architecture variables, indexed by variable number. */
async function readManifest(root: string, name: string, maxBytes: number): Promise<ManifestEntry[]> {
  const manifestPath = await resolveInside(root, name, ML5_MANIFEST, {
    code: 'manifest-missing',
    problem: 'is missing. An ml5 style model is a folder with manifest.json and its weight files.',
  });
  const manifest = await readJsonFile(manifestPath, maxBytes, name, ML5_MANIFEST, 'manifest-invalid');
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ModelError(
      'manifest-invalid',
      name,
      ML5_MANIFEST,
      'must be a JSON object of { variable: { filename, shape } }.',
    );
  }

  const entries: ManifestEntry[] = [];
  for (let k = 0; k < VARIABLE_COUNT; k++) {
    const variable = variableName(k);
    const raw: unknown = Object.hasOwn(manifest, variable)
      ? (manifest as Record<string, unknown>)[variable]
      : undefined;
    if (raw === undefined) {
      throw new ModelError(
        'variable-missing',
        name,
        ML5_MANIFEST,
        `has no entry for ${variable}; the network needs Variable .. Variable_${VARIABLE_COUNT - 1}.`,
      );
    }
    const entry = raw as Partial<Record<'filename' | 'shape' | 'dtype', unknown>>;
    if (
      typeof raw !== 'object' ||
      raw === null ||
      typeof entry.filename !== 'string' ||
      !Array.isArray(entry.shape) ||
      !entry.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
    ) {
      throw new ModelError(
        'manifest-invalid',
        name,
        ML5_MANIFEST,
        `entry ${variable} must be { "filename": string, "shape": [non-negative integers] }.`,
      );
    }
    if (Object.hasOwn(entry, 'dtype') && entry.dtype !== FLOAT32) {
      throw new ModelError(
        'manifest-invalid',
        name,
        ML5_MANIFEST,
        `entry ${variable} has dtype ${describe(entry.dtype)}; ml5 style weights are float32, and the reader will not guess how to read another type.`,
      );
    }
    const shape = entry.shape as number[];
    const expected = VARIABLE_SHAPES[k]!;
    if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
      throw new ModelError(
        'shape-mismatch',
        name,
        entry.filename,
        `${variable} has shape [${shape.join(', ')}], but the network needs [${expected.join(', ')}]. This is not an ml5 fast style-transfer model.`,
      );
    }
    entries.push({ filename: entry.filename, shape });
  }
  return entries;
}

const WEIGHT_FILE_MISSING = (root: string): MissingFile => ({
  code: 'file-missing',
  problem: `is listed in manifest.json but not in ${root}.`,
});

/** Resolves a manifest file name to a regular file that really lies inside the model folder. */
async function resolveWeightFile(root: string, name: string, filename: string): Promise<string> {
  checkPlainFileName(name, filename, 'Weight files');
  return resolveInside(root, name, filename, WEIGHT_FILE_MISSING(root));
}

async function decodeFloat32(
  file: string,
  bytes: number,
  name: string,
  filename: string,
): Promise<Float32Array> {
  const view = await readExactly(file, bytes, name, filename);
  if (!isLittleEndianHost) swapBytes32(view);
  const values = new Float32Array(view.buffer, view.byteOffset, bytes / 4);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new ModelError(
        'non-finite',
        name,
        filename,
        `value ${i} is ${values[i]}; weights must be finite numbers.`,
      );
    }
  }
  return values;
}

const isLittleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function swapBytes32(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A value from a hostile file, short enough for a message. */
function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : `of type ${typeof value}`;
}
