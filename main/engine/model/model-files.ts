import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelError, type ModelErrorCode } from './model-errors.js';
import { parseStrictJson, StrictJsonError } from './strict-json.js';

/**
 * The file rules every model format shares: a model is one folder, every file it reads is a regular
 * file directly in that folder (a link is followed only while it stays inside), and every read is
 * bounded, so a hostile folder costs no more than a real model does.
 */

/** Budget for all of one model's weight (or network) bytes. The ml5 network needs 6.7 MB, as do its ONNX and tfjs exports. */
export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 * 1024;

/** The real path of the model folder `dir`. @throws {ModelError} `not-a-folder`. */
export async function resolveModelFolder(dir: string, name: string): Promise<string> {
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
      `${dir} is not a folder. Choose the folder that holds the model's files.`,
    );
  }
  return root;
}

/** Refuses a file name from a model's own files that is not a plain name of a file in the folder. */
export function checkPlainFileName(name: string, filename: string, what: string): void {
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
      `is not a plain file name. ${what} must sit directly in the model folder.`,
    );
  }
}

/** How to word a file that is not there: its code and the sentence after the file's name. */
export interface MissingFile {
  readonly code: ModelErrorCode;
  readonly problem: string;
}

/**
 * The real path of `root/filename`, which must be a regular file directly in `root`. A symlink may
 * point anywhere; only one that stays inside the folder is accepted.
 */
export async function resolveInside(
  root: string,
  name: string,
  filename: string,
  missing: MissingFile,
): Promise<string> {
  let real: string;
  try {
    real = await realpath(path.join(root, filename));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelError(
      missing.code,
      name,
      filename,
      code === 'ENOENT' ? missing.problem : `cannot be read (${code ?? 'error'}).`,
    );
  }
  if (path.dirname(real) !== root) {
    throw new ModelError('unsafe-path', name, filename, 'is a link that leads outside the model folder.');
  }
  if (!(await stat(real)).isFile()) {
    throw new ModelError(missing.code, name, filename, 'is not a regular file.');
  }
  return real;
}

/**
 * Reads a whole file of at most `maxBytes`. It reads at most one byte past the limit through one
 * handle: a size checked first and read later could change in between, and files such as /proc's
 * report a size of 0.
 *
 * @throws {ModelError} with `tooLarge` as its code when the file is larger.
 */
export async function readBounded(
  file: string,
  maxBytes: number,
  name: string,
  filename: string,
  tooLarge: ModelErrorCode,
): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) {
      throw new ModelError(tooLarge, name, filename, `is larger than the ${maxBytes}-byte limit.`);
    }
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Reads exactly `bytes` bytes of a file whose size was validated before, through one handle, and
 * refuses the file if it is not still exactly that size (it changed between the check and the read).
 */
export async function readExactly(
  file: string,
  bytes: number,
  name: string,
  filename: string,
): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(bytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead !== bytes) {
      throw new ModelError(
        'file-size-mismatch',
        name,
        filename,
        `changed size while being read: it was ${bytes} bytes, then ${bytesRead > bytes ? 'more' : bytesRead}.`,
      );
    }
    return buffer.subarray(0, bytes);
  } finally {
    await handle.close();
  }
}

/**
 * Reads and parses a JSON file of the model strictly (see `parseStrictJson`).
 *
 * @throws {ModelError} with `invalid` as its code for a file over `maxBytes` or not strict JSON.
 */
export async function readJsonFile(
  file: string,
  maxBytes: number,
  name: string,
  filename: string,
  invalid: ModelErrorCode,
): Promise<unknown> {
  const bytes = await readBounded(file, maxBytes, name, filename, invalid);
  try {
    return parseStrictJson(bytes);
  } catch (error) {
    if (error instanceof StrictJsonError) throw new ModelError(invalid, name, filename, error.message);
    throw error;
  }
}

/** Total byte size of a file; used only to refuse before reading, never trusted for the read itself. */
export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}
