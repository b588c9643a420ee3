import { opendir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ML5_MANIFEST, readMl5Model } from './ml5-model-reader.js';
import { ModelError } from './model-errors.js';
import { DEFAULT_MAX_TOTAL_BYTES, resolveModelFolder } from './model-files.js';
import { readOnnxModel } from './onnx-model-reader.js';
import { SIDECAR } from './sidecar.js';
import type { ModelFormat, StyleModel } from './style-model.js';
import { FORMAT_NAMES } from './style-model.js';
import { readTfjsGraphModel, TFJS_MODEL_JSON } from './tfjs-graph-model-reader.js';

/** A model folder holds a handful of files; one with more is not a model folder and is not listed in full. */
export const MAX_FOLDER_ENTRIES = 1000;

/** What `detectModelFormat` found. */
export interface DetectedFormat {
  readonly format: ModelFormat;
  /** Absolute, symlink-resolved model folder. */
  readonly dir: string;
  /** The file that says the format: `manifest.json`, `model.json` or the `.onnx` file. */
  readonly file: string;
}

export interface StyleModelReadOptions {
  /** Name to report in errors and the UI; defaults to the folder's name. */
  readonly name?: string;
  /** Budget for all weight (or network) bytes together. */
  readonly maxTotalBytes?: number;
}

const WHAT_A_MODEL_IS = `an ml5 style model has ${ML5_MANIFEST}; a TensorFlow.js graph model has ${TFJS_MODEL_JSON}, its weight shards and ${SIDECAR}; an ONNX network has one .onnx file and ${SIDECAR}`;

/**
 * Which model format the folder `dir` holds, from its file names alone (nothing is opened):
 * `manifest.json` is ml5, `model.json` a tfjs graph model, one `*.onnx` file an ONNX network. The
 * sidecar `stylemirror.json` the last two need is checked when the model is read.
 *
 * @throws {ModelError} `not-a-folder`; `model-missing` when the folder holds none of these files;
 *   `format-ambiguous` when it holds more than one model (two formats, or several .onnx files).
 */
export async function detectModelFormat(dir: string, name = folderName(dir)): Promise<DetectedFormat> {
  const root = await resolveModelFolder(dir, name);
  const names = await listFolder(root, name);
  const found: { format: ModelFormat; file: string }[] = [];
  for (const format of ['ml5', 'tfjs-graph'] as const) {
    const file = names.find((n) => modelFileFormat(n) === format);
    if (file !== undefined) found.push({ format, file });
  }
  const onnxFiles = names.filter((n) => modelFileFormat(n) === 'onnx').sort();
  if (onnxFiles.length > 1) {
    throw new ModelError(
      'format-ambiguous',
      name,
      undefined,
      `holds several ONNX files (${quoteList(onnxFiles)}); a model folder holds one network. Move the others into folders of their own.`,
    );
  }
  if (onnxFiles[0] !== undefined) found.push({ format: 'onnx', file: onnxFiles[0] });

  const [only, ...others] = found;
  if (only === undefined) {
    const hint = names.includes(SIDECAR)
      ? `It has ${SIDECAR} but no network beside it: `
      : 'A model folder needs one: ';
    throw new ModelError(
      'model-missing',
      name,
      undefined,
      `${root} holds no model. ${hint}${WHAT_A_MODEL_IS}.`,
    );
  }
  if (others.length > 0) {
    const described = found.map((f) => `${JSON.stringify(f.file)} (${FORMAT_NAMES[f.format]})`).join(' and ');
    throw new ModelError(
      'format-ambiguous',
      name,
      undefined,
      `holds ${described}; a model folder holds one model. Move one into a folder of its own.`,
    );
  }
  return { format: only.format, dir: root, file: only.file };
}

/** The format a file of this name says a folder holds, if any: the one place these names are decided. */
function modelFileFormat(fileName: string): ModelFormat | undefined {
  if (fileName === ML5_MANIFEST) return 'ml5';
  if (fileName === TFJS_MODEL_JSON) return 'tfjs-graph';
  return fileName.toLowerCase().endsWith('.onnx') ? 'onnx' : undefined;
}

/**
 * Whether `dir` holds a regular file (or a link to one) that says a model format. Cheap, for listing
 * model folders: whether it is one valid model is for reading it to say. Never throws.
 */
export async function holdsModelFile(dir: string): Promise<boolean> {
  try {
    let seen = 0;
    for await (const entry of await opendir(dir)) {
      // Returning early closes the directory.
      if (++seen > MAX_FOLDER_ENTRIES) return false;
      if (modelFileFormat(entry.name) === undefined) continue;
      if (entry.isFile()) return true;
      if (entry.isSymbolicLink()) {
        const target = await stat(path.join(dir, entry.name)).catch(() => undefined);
        if (target?.isFile() === true) return true;
      }
    }
  } catch {
    // Missing or unreadable: not a model folder.
  }
  return false;
}

/**
 * Reads the model in the folder `dir`, whichever format it is in (see `detectModelFormat`), validated
 * in full, ready for a backend.
 *
 * @throws {ModelError} naming the model, the file and the problem.
 */
export async function readStyleModel(dir: string, options: StyleModelReadOptions = {}): Promise<StyleModel> {
  const name = options.name ?? folderName(dir);
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const detected = await detectModelFormat(dir, name);
  switch (detected.format) {
    case 'ml5':
      return readMl5Model(detected.dir, { name, maxTotalBytes });
    case 'onnx':
      return readOnnxModel(detected.dir, name, detected.file, maxTotalBytes);
    case 'tfjs-graph':
      return readTfjsGraphModel(detected.dir, name, maxTotalBytes);
  }
}

function folderName(dir: string): string {
  return path.basename(path.resolve(dir));
}

/** The folder's entry names, refusing a folder too large to be a model's. */
async function listFolder(root: string, name: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of await opendir(root)) {
    if (names.length === MAX_FOLDER_ENTRIES) {
      // Leaving the loop early closes the directory.
      throw new ModelError(
        'too-large',
        name,
        undefined,
        `${root} holds more than ${MAX_FOLDER_ENTRIES} files; a model folder holds one model's few files.`,
      );
    }
    names.push(entry.name);
  }
  return names;
}

/** File names from the folder, quoted inertly, at most five. */
function quoteList(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => JSON.stringify(n));
  return shown.join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
}
