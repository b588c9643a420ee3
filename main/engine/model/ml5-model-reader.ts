import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VARIABLE_COUNT, VARIABLE_SHAPES, variableName } from './architecture.js';
import type { Ml5Model } from './ml5-model.js';
import { ModelError } from './model-errors.js';

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
export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 * 1024;

const MANIFEST = 'manifest.json';

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
 *
 * @throws {ModelError} naming the model, the file and the problem.
 */
export async function readMl5Model(dir: string, options: Ml5ReadOptions = {}): Promise<Ml5Model> {
  const name = options.name ?? path.basename(path.resolve(dir));
  const maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;

  const root = await resolveFolder(dir, name);
  const entries = await readManifest(root, name, maxManifestBytes);

  // Validate every file's place and size first, so a bad file costs no decoding work.
  const files: string[] = [];
  let totalBytes = 0;
  for (let k = 0; k < VARIABLE_COUNT; k++) {
    const entry = entries[k]!;
    const expectedBytes = 4 * product(entry.shape);
    const file = await resolveWeightFile(root, name, entry.filename);
    const size = (await stat(file)).size;
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
  return { name, dir: root, weights };
}

async function resolveFolder(dir: string, name: string): Promise<string> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch {
    throw new ModelError('not-a-folder', name, undefined, `folder ${dir} does not exist.`);
  }
  if (!(await stat(root)).isDirectory()) {
    throw new ModelError(
      'not-a-folder',
      name,
      undefined,
      `${dir} is not a folder. Choose the folder that holds manifest.json.`,
    );
  }
  return root;
}

/** Returns the manifest entries of the 48 architecture variables, indexed by variable number. */
async function readManifest(root: string, name: string, maxBytes: number): Promise<ManifestEntry[]> {
  const manifestPath = await resolveInside(root, name, MANIFEST, 'manifest-missing');
  // Read at most one byte past the limit through one handle: a size checked first and read later
  // could change in between, and files such as /proc's report a size of 0.
  const handle = await open(manifestPath, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) {
      throw new ModelError('manifest-invalid', name, MANIFEST, `is larger than the ${maxBytes}-byte limit.`);
    }
    text = buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }

  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new ModelError(
      'manifest-invalid',
      name,
      MANIFEST,
      `is not valid JSON (${(error as Error).message}).`,
    );
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ModelError(
      'manifest-invalid',
      name,
      MANIFEST,
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
        MANIFEST,
        `has no entry for ${variable}; the network needs Variable .. Variable_${VARIABLE_COUNT - 1}.`,
      );
    }
    const entry = raw as Partial<Record<'filename' | 'shape', unknown>>;
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
        MANIFEST,
        `entry ${variable} must be { "filename": string, "shape": [non-negative integers] }.`,
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

/** Resolves a manifest file name to a regular file that really lies inside the model folder. */
async function resolveWeightFile(root: string, name: string, filename: string): Promise<string> {
  if (
    filename === '' ||
    filename === '.' ||
    filename === '..' ||
    /[/\\\0]/.test(filename) ||
    path.isAbsolute(filename)
  ) {
    throw new ModelError(
      'unsafe-path',
      name,
      filename,
      'is not a plain file name. Weight files must sit directly in the model folder.',
    );
  }
  return resolveInside(root, name, filename, 'file-missing');
}

/**
 * The real path of `root/filename`, which must be a regular file directly in `root`. A symlink may
 * point anywhere; only one that stays inside the folder is accepted.
 */
async function resolveInside(
  root: string,
  name: string,
  filename: string,
  missing: 'file-missing' | 'manifest-missing',
): Promise<string> {
  const what =
    missing === 'manifest-missing'
      ? 'is missing. An ml5 style model is a folder with manifest.json and its weight files.'
      : `is listed in manifest.json but not in ${root}.`;
  let real: string;
  try {
    real = await realpath(path.join(root, filename));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelError(
      missing,
      name,
      filename,
      code === 'ENOENT' ? what : `cannot be read (${code ?? 'error'}).`,
    );
  }
  if (path.dirname(real) !== root) {
    throw new ModelError('unsafe-path', name, filename, 'is a link that leads outside the model folder.');
  }
  if (!(await stat(real)).isFile()) {
    throw new ModelError(missing, name, filename, 'is not a regular file.');
  }
  return real;
}

async function decodeFloat32(
  file: string,
  bytes: number,
  name: string,
  filename: string,
): Promise<Float32Array> {
  const handle = await open(file, 'r');
  try {
    // Read into a fresh buffer of exactly the validated size: a file that grew since is not read past it.
    const values = new Float32Array(bytes / 4);
    const view = new Uint8Array(values.buffer);
    const { bytesRead } = await handle.read(view, 0, bytes, 0);
    if (bytesRead !== bytes) {
      throw new ModelError(
        'file-size-mismatch',
        name,
        filename,
        `shrank while being read (${bytesRead} of ${bytes} bytes).`,
      );
    }
    if (!isLittleEndianHost) swapBytes32(view);
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
  } finally {
    await handle.close();
  }
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
