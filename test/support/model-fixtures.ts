import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { VARIABLE_SHAPES, variableName } from '../../main/engine/model/architecture.js';
import { syntheticModel } from '../../main/engine/model/synthetic-model.js';

/** One `manifest.json` entry, as ml5's training scripts write it. */
export interface ManifestEntry {
  filename: string;
  shape: number[];
}

/** A `manifest.json`: variable name to entry. */
export type Manifest = Record<string, ManifestEntry>;

export interface ModelFolderOptions {
  /** One array per variable; defaults to `syntheticModel().weights` (seed 1). */
  readonly weights?: readonly Float32Array[];
  /** Edits the valid manifest in place before it is written. */
  readonly manifest?: (manifest: Manifest) => void;
  /**
   * Decides a weight file's bytes (float32 little-endian, a fresh copy the hook may edit in place):
   * return the bytes to write, or null to leave the file out. Files are always written under their
   * variable's name, whatever the manifest says, so a hostile manifest never writes outside the folder.
   */
  readonly file?: (name: string, bytes: Uint8Array) => Uint8Array | null;
}

let synthetic: readonly Float32Array[] | undefined;

/** Writes an ml5 model folder (`manifest.json` + 48 raw weight files) into `dir`, creating it. */
export async function writeModelFolder(dir: string, options: ModelFolderOptions = {}): Promise<void> {
  const weights = options.weights ?? (synthetic ??= syntheticModel().weights);
  const manifest: Manifest = {};
  VARIABLE_SHAPES.forEach((shape, k) => {
    manifest[variableName(k)] = { filename: variableName(k), shape: [...shape] };
  });
  options.manifest?.(manifest);

  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  for (const [k, values] of weights.entries()) {
    const bytes = littleEndianBytes(values);
    const written = options.file ? options.file(variableName(k), bytes) : bytes;
    if (written !== null) await writeFile(path.join(dir, variableName(k)), written);
  }
}

/** Raw float32 little-endian bytes, whatever the host's byte order. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** A fresh empty folder, removed when the current test finishes. Call it inside a test. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
