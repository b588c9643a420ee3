import type { FileHandle } from 'node:fs/promises';
import { copyFile, mkdir, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { VARIABLE_COUNT, VARIABLE_SHAPES, variableName } from '../../../main/engine/model/architecture.js';
import {
  DEFAULT_MAX_MANIFEST_BYTES,
  readMl5Model,
  type Ml5ReadOptions,
} from '../../../main/engine/model/ml5-model-reader.js';
import { ModelError, type ModelErrorCode } from '../../../main/engine/model/model-errors.js';
import { syntheticModel } from '../../../main/engine/model/synthetic-model.js';
import { makeTempDir, writeModelFolder, type ModelFolderOptions } from '../../support/model-fixtures.js';

// Every file handle the reader opens, so a test can prove a refused model leaves none open.
// (process.getActiveResourcesInfo() does not list open FileHandles on Node 20.)
const opened = vi.hoisted((): { handle: FileHandle; file: string }[] => []);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    opened.push({ handle, file: String(args[0]) });
    return handle;
  };
  return { ...fs, open };
});

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');

/** Folder name, hence default display name, of every generated model: distinctive enough to find in a message. */
const NAME = 'hostile-fixture';

/** What `writeModelFolder` writes by default. */
const SYNTHETIC = syntheticModel().weights;

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const fileBytes = (k: number): number => 4 * product(VARIABLE_SHAPES[k]!);
const TOTAL_BYTES = VARIABLE_SHAPES.reduce((sum, _, k) => sum + fileBytes(k), 0);

/** Writes a model folder named NAME in a fresh temp dir and returns its path. */
async function modelFolder(options?: ModelFolderOptions): Promise<string> {
  const dir = path.join(await makeTempDir(), NAME);
  await writeModelFolder(dir, options);
  return dir;
}

/** Lists the variables whose decoded bits differ from the synthetic model's: [] when the read is exact. */
function mismatchedVariables(actual: readonly Float32Array[]): string[] {
  expect(actual).toHaveLength(VARIABLE_COUNT);
  const bytes = (a: Float32Array | undefined): Buffer =>
    a === undefined ? Buffer.alloc(0) : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return SYNTHETIC.flatMap((e, k) => (bytes(actual[k]).equals(bytes(e)) ? [] : [variableName(k)]));
}

/** Checks every handle opened since `opened[since]` is closed again. */
function expectNoOpenHandles(since: number): void {
  expect(opened.slice(since).filter((o) => o.handle.fd !== -1).length, 'file handles left open').toBe(0);
}

/** Weight files opened since `opened[since]`; the manifest is opened first and is not counted. */
function weightFilesOpened(since: number): number {
  return opened.slice(since).filter((o) => path.basename(o.file) !== 'manifest.json').length;
}

/**
 * Reads `dir` expecting a refusal with `code` about `file`, whose message names the model and the
 * file, and which leaks no handle. Only `non-finite` may open a weight file: every other problem
 * must be found before decoding starts.
 */
async function expectRefused(
  dir: string,
  code: ModelErrorCode,
  file: string | undefined,
  options?: Ml5ReadOptions,
): Promise<ModelError> {
  const openedBefore = opened.length;
  const error: unknown = await readMl5Model(dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelError);
  const refusal = error as ModelError;
  expect({ code: refusal.code, model: refusal.model, file: refusal.file }).toEqual({
    code,
    model: options?.name ?? NAME,
    file,
  });
  // Names are JSON-quoted, so a hostile name cannot put raw newlines or terminal escapes in a message.
  expect(refusal.message).toContain(JSON.stringify(refusal.model));
  if (file !== undefined) expect(refusal.message).toContain(JSON.stringify(file));
  if (code !== 'non-finite')
    expect(weightFilesOpened(openedBefore), 'weight files opened before validation').toBe(0);
  expectNoOpenHandles(openedBefore);
  return refusal;
}

describe('readMl5Model on valid folders', () => {
  it('reads a generated model back with the exact weights', async () => {
    const dir = await modelFolder();
    const openedBefore = opened.length;
    const model = await readMl5Model(dir);
    expect(model.name).toBe(NAME);
    expect(model.dir).toBe(await realpath(dir));
    expect(mismatchedVariables(model.weights)).toEqual([]);
    // Proves the handle tracking sees the reader's opens, so the leak checks can fail.
    expect(weightFilesOpened(openedBefore)).toBe(VARIABLE_COUNT);
    expectNoOpenHandles(openedBefore);
  });

  it('names the model after its folder unless options.name says otherwise', async () => {
    const dir = await modelFolder();
    expect((await readMl5Model(`${dir}${path.sep}`)).name).toBe(NAME);
    expect((await readMl5Model(dir, { name: 'Starry Night' })).name).toBe('Starry Night');
    await rm(path.join(dir, 'Variable_5'));
    await expectRefused(dir, 'file-missing', 'Variable_5', { name: 'Starry Night' });
  });

  it('ignores optimizer-slot entries, whatever their files', async () => {
    const dir = await modelFolder({
      manifest: (m) => {
        // Names that would be refused, and files of the wrong size or none: none of it may be looked at.
        m['Variable_3/Adam'] = { filename: 'Variable_3_Adam', shape: [3, 3, 32, 64] };
        m['Variable_3/Adam_1'] = { filename: 'Variable_3/Adam_1', shape: [3, 3, 32, 64] };
        m['beta1_power'] = { filename: 'beta1_power', shape: [] };
        m['beta2_power'] = { filename: '../beta2_power', shape: [-1] };
      },
    });
    await writeFile(path.join(dir, 'Variable_3_Adam'), Buffer.alloc(fileBytes(3)));
    await writeFile(path.join(dir, 'beta1_power'), Buffer.alloc(7));
    // The budget covers the 48 variables only: an exact budget still fits with the slot files present.
    const model = await readMl5Model(dir, { maxTotalBytes: TOTAL_BYTES });
    expect(mismatchedVariables(model.weights)).toEqual([]);
  });

  it('follows a symlink to a file inside the folder', async () => {
    const dir = await modelFolder();
    await rename(path.join(dir, 'Variable_3'), path.join(dir, 'weights-3.bin'));
    await symlink('weights-3.bin', path.join(dir, 'Variable_3'));
    const model = await readMl5Model(dir);
    expect(mismatchedVariables(model.weights)).toEqual([]);
  });

  it('is not confused by __proto__, constructor or hasOwnProperty keys', async () => {
    const dir = await modelFolder({
      manifest: (m) => {
        const hostile = { filename: '../evil', shape: [1] };
        // An own "__proto__" key, as JSON.parse makes one: plain assignment would set the prototype.
        Object.defineProperty(m, '__proto__', { value: { Variable: hostile }, enumerable: true });
        Object.assign(m, { constructor: hostile, hasOwnProperty: 1 });
        Object.defineProperty(m['Variable_1']!, '__proto__', { value: hostile, enumerable: true });
        Object.assign(m['Variable_1']!, { constructor: hostile });
      },
    });
    const text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
    expect(text).toContain('"__proto__"');
    const model = await readMl5Model(dir);
    expect(mismatchedVariables(model.weights)).toEqual([]);
  });

  it('accepts a manifest and weights exactly at their limits', async () => {
    const dir = await modelFolder();
    const manifestBytes = (await readFile(path.join(dir, 'manifest.json'))).length;
    await readMl5Model(dir, { maxManifestBytes: manifestBytes, maxTotalBytes: TOTAL_BYTES });
    await expectRefused(dir, 'manifest-invalid', 'manifest.json', { maxManifestBytes: manifestBytes - 1 });
    await expectRefused(dir, 'too-large', 'Variable_47', { maxTotalBytes: TOTAL_BYTES - 1 });
  });

  it('reads the shared udnie model', async () => {
    const model = await readMl5Model(path.join(SHARED_MODELS, 'udnie'));
    expect(model.name).toBe('udnie');
    expect(model.weights.map((w) => w.length * 4)).toEqual(VARIABLE_SHAPES.map((_, k) => fileBytes(k)));
  });
});

describe('readMl5Model refuses', () => {
  it('a folder that does not exist', async () => {
    const dir = path.join(await makeTempDir(), NAME);
    const refusal = await expectRefused(dir, 'not-a-folder', undefined);
    expect(refusal.message).toContain(dir);
  });

  it('a regular file instead of a folder', async () => {
    const file = path.join(await makeTempDir(), NAME);
    await writeFile(file, '{}');
    await expectRefused(file, 'not-a-folder', undefined);
  });

  it('a folder without manifest.json', async () => {
    const dir = await modelFolder();
    await rm(path.join(dir, 'manifest.json'));
    await expectRefused(dir, 'manifest-missing', 'manifest.json');
  });

  it('a manifest.json that is a folder', async () => {
    const dir = await modelFolder();
    await rm(path.join(dir, 'manifest.json'));
    await mkdir(path.join(dir, 'manifest.json'));
    await expectRefused(dir, 'manifest-missing', 'manifest.json');
  });

  it('a manifest that is not JSON', async () => {
    const dir = await modelFolder();
    await writeFile(path.join(dir, 'manifest.json'), '{ "Variable": { "filename": "Variable",');
    await expectRefused(dir, 'manifest-invalid', 'manifest.json');
  });

  it.each(['[]', 'null', '42', '"Variable"'])('a manifest that is JSON %s, not an object', async (text) => {
    const dir = await modelFolder();
    await writeFile(path.join(dir, 'manifest.json'), text);
    await expectRefused(dir, 'manifest-invalid', 'manifest.json');
  });

  it('a manifest over the default size limit, even if valid JSON', async () => {
    const dir = await modelFolder();
    const manifest = path.join(dir, 'manifest.json');
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text + ' '.repeat(DEFAULT_MAX_MANIFEST_BYTES + 1 - text.length));
    const refusal = await expectRefused(dir, 'manifest-invalid', 'manifest.json');
    expect(refusal.message).toContain(String(DEFAULT_MAX_MANIFEST_BYTES));
  });

  it.each<[string, unknown]>([
    ['int8', 'int8'],
    ['float16', 'float16'],
    ['a number', 32],
    ['null', null],
  ])('an entry with dtype %s instead of float32', async (_, dtype) => {
    // The file has float32's size for the shape, so only the dtype check can catch it.
    const dir = await modelFolder({ manifest: (m) => Object.assign(m['Variable_7']!, { dtype }) });
    const refusal = await expectRefused(dir, 'manifest-invalid', 'manifest.json');
    expect(refusal.message).toContain('Variable_7 has dtype');
  });

  it('accepts an entry whose dtype says float32', async () => {
    const dir = await modelFolder({ manifest: (m) => Object.assign(m['Variable_7']!, { dtype: 'float32' }) });
    expect(mismatchedVariables((await readMl5Model(dir)).weights)).toEqual([]);
  });

  it('a manifest that repeats a variable (JSON.parse would keep the last one)', async () => {
    const dir = await modelFolder();
    const manifest = path.join(dir, 'manifest.json');
    // The second Variable_7 is a valid entry for a file of the right size: only the repetition is wrong.
    const text = (await readFile(manifest, 'utf8')).replace(
      /^\{/,
      '{"Variable_7": {"filename": "../elsewhere", "shape": [1]},',
    );
    await writeFile(manifest, text);
    const refusal = await expectRefused(dir, 'manifest-invalid', 'manifest.json');
    expect(refusal.message).toContain('repeats the key "Variable_7"');
  });

  it('a manifest that repeats a key inside an entry, spelled with an escape', async () => {
    const dir = await modelFolder();
    const manifest = path.join(dir, 'manifest.json');
    const text = (await readFile(manifest, 'utf8')).replace(
      '"filename": "Variable_3"',
      '"filename": "Variable_3", "\\u0066ilename": "Variable_3"',
    );
    expect(JSON.parse(text)).toMatchObject({ Variable_3: { filename: 'Variable_3' } });
    await writeFile(manifest, text);
    const refusal = await expectRefused(dir, 'manifest-invalid', 'manifest.json');
    expect(refusal.message).toContain('repeats the key "filename"');
  });

  it('a manifest nested deeper than any model needs', async () => {
    const dir = await modelFolder({
      manifest: (m) => Object.assign(m, { comment: JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown }),
    });
    const refusal = await expectRefused(dir, 'manifest-invalid', 'manifest.json');
    expect(refusal.message).toContain('more than 32 deep');
  });

  it('a manifest that is not UTF-8', async () => {
    const dir = await modelFolder();
    const manifest = path.join(dir, 'manifest.json');
    const text = await readFile(manifest);
    // A Latin-1 "é" (0xe9) in a key of an ignored entry: a lenient decode would turn it into U+FFFD and go on.
    const bytes = Buffer.concat([
      Buffer.from('{"caf'),
      Buffer.from([0xe9]),
      Buffer.from('": 1,'),
      text.subarray(1),
    ]);
    await writeFile(manifest, bytes);
    const refusal = await expectRefused(dir, 'manifest-invalid', 'manifest.json');
    expect(refusal.message).toContain('not UTF-8');
  });

  it.each(['Variable', 'Variable_20', 'Variable_47'])('a manifest without %s', async (variable) => {
    const dir = await modelFolder({ manifest: (m) => Reflect.deleteProperty(m, variable) });
    const refusal = await expectRefused(dir, 'variable-missing', 'manifest.json');
    expect(refusal.message).toContain(`${variable};`);
  });

  it('a missing variable that only an own __proto__ key supplies', async () => {
    const dir = await modelFolder({
      manifest: (m) => {
        const entry = m['Variable']!;
        delete m['Variable'];
        Object.defineProperty(m, '__proto__', { value: { Variable: entry }, enumerable: true });
      },
    });
    await expectRefused(dir, 'variable-missing', 'manifest.json');
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'Variable_7'],
    ['an array', ['Variable_7', [64]]],
    ['no filename', { shape: [64] }],
    ['a numeric filename', { filename: 7, shape: [64] }],
    ['no shape', { filename: 'Variable_7' }],
    ['a string shape', { filename: 'Variable_7', shape: '64' }],
    ['a negative dimension', { filename: 'Variable_7', shape: [-64] }],
    ['a fractional dimension', { filename: 'Variable_7', shape: [63.5] }],
    ['a string dimension', { filename: 'Variable_7', shape: ['64'] }],
    ['an unsafe integer dimension', { filename: 'Variable_7', shape: [2 ** 53] }],
    ['fields only under __proto__', JSON.parse('{"__proto__": {"filename": "Variable_7", "shape": [64]}}')],
  ])('an entry with %s', async (_, entry) => {
    const dir = await modelFolder({ manifest: (m) => Object.assign(m, { Variable_7: entry }) });
    const refusal = await expectRefused(dir, 'manifest-invalid', 'manifest.json');
    expect(refusal.message).toContain('Variable_7');
  });

  it.each<[string, number, number[]]>([
    ['a conv filter with too few output channels', 0, [9, 9, 3, 16]],
    ['a transposed filter with in and out swapped', 39, [3, 3, 128, 64]],
    ['an extra unit dimension', 1, [32, 1]],
    ['a scalar', 1, []],
  ])('a variable with %s', async (_, k, shape) => {
    // Files are written for the declared shape, so only the shape check can catch it.
    const dir = await modelFolder({
      manifest: (m) => {
        m[variableName(k)]!.shape = shape;
      },
      file: (name, bytes) => (name === variableName(k) ? new Uint8Array(4 * product(shape)) : bytes),
    });
    const refusal = await expectRefused(dir, 'shape-mismatch', variableName(k));
    expect(refusal.message).toContain(`[${VARIABLE_SHAPES[k]!.join(', ')}]`);
  });

  it('a missing weight file', async () => {
    const dir = await modelFolder({ file: (name, bytes) => (name === 'Variable_5' ? null : bytes) });
    await expectRefused(dir, 'file-missing', 'Variable_5');
  });

  it('a weight file that is a folder', async () => {
    const dir = await modelFolder({ file: (name, bytes) => (name === 'Variable_5' ? null : bytes) });
    await mkdir(path.join(dir, 'Variable_5'));
    await expectRefused(dir, 'file-missing', 'Variable_5');
  });

  it.each<[string, (bytes: Uint8Array) => Uint8Array]>([
    ['truncated by one byte', (b) => b.subarray(0, b.length - 1)],
    ['one float too long', (b) => Buffer.concat([b, new Uint8Array(4)])],
    ['empty', (b) => b.subarray(0, 0)],
  ])('a weight file that is %s', async (_, edit) => {
    const dir = await modelFolder({ file: (name, bytes) => (name === 'Variable_9' ? edit(bytes) : bytes) });
    const refusal = await expectRefused(dir, 'file-size-mismatch', 'Variable_9');
    expect(refusal.message).toContain(String(fileBytes(9)));
  });

  it.each<[string, (dir: string) => string, ((dir: string) => Promise<void>)?]>([
    // Each name that can lead to a real file of the right size does, so the refusal is not a missing file.
    [
      'with ../',
      () => '../Variable_3',
      (dir) => copyFile(path.join(dir, 'Variable_3'), path.join(dir, '..', 'Variable_3')),
    ],
    [
      'with /',
      () => 'sub/Variable_3',
      async (dir) => {
        await mkdir(path.join(dir, 'sub'));
        await copyFile(path.join(dir, 'Variable_3'), path.join(dir, 'sub', 'Variable_3'));
      },
    ],
    ['that is absolute', (dir) => path.join(dir, 'Variable_3')],
    [
      'with a backslash',
      () => 'sub\\Variable_3',
      (dir) => copyFile(path.join(dir, 'Variable_3'), path.join(dir, 'sub\\Variable_3')),
    ],
    ['that is ..', () => '..'],
    ['that is .', () => '.'],
    ['that is empty', () => ''],
    ['with a NUL byte', () => 'Variable_3\0'],
  ])('a file name %s', async (_, filename, prepare) => {
    const dir = path.join(await makeTempDir(), NAME);
    await writeModelFolder(dir, {
      manifest: (m) => {
        m['Variable_3']!.filename = filename(dir);
      },
    });
    await prepare?.(dir);
    await expectRefused(dir, 'unsafe-path', filename(dir));
  });

  it('a symlink to a file outside the folder', async () => {
    const dir = await modelFolder();
    const outside = path.join(dir, '..', 'outside');
    await rename(path.join(dir, 'Variable_3'), outside);
    await symlink(outside, path.join(dir, 'Variable_3'));
    await expectRefused(dir, 'unsafe-path', 'Variable_3');
  });

  it('a manifest.json that links outside the folder', async () => {
    const dir = await modelFolder();
    const outside = path.join(dir, '..', 'outside-manifest.json');
    await rename(path.join(dir, 'manifest.json'), outside);
    await symlink(outside, path.join(dir, 'manifest.json'));
    await expectRefused(dir, 'unsafe-path', 'manifest.json');
  });

  it('a file name with a newline and a terminal escape, quoted inertly in the message', async () => {
    const hostile = 'Variable_3\n\u001b[31mFAKE ERROR';
    const dir = await modelFolder({
      manifest: (m) => {
        m['Variable_3']!.filename = hostile;
      },
    });
    const refusal = await expectRefused(dir, 'file-missing', hostile);
    expect(refusal.message).not.toContain('\n');
    expect(refusal.message).not.toContain('\u001b');
  });

  it.each([NaN, Infinity, -Infinity])('a weight of %s in the middle of a file', async (value) => {
    const middle = fileBytes(12) / 8;
    const dir = await modelFolder({
      file: (name, bytes) => {
        if (name === 'Variable_12') new DataView(bytes.buffer).setFloat32(middle * 4, value, true);
        return bytes;
      },
    });
    const refusal = await expectRefused(dir, 'non-finite', 'Variable_12');
    expect(refusal.message).toContain(`value ${middle} is ${value}`);
  });

  it('a file of the wrong size before decoding anything, even an earlier NaN', async () => {
    const dir = await modelFolder({
      file: (name, bytes) => {
        if (name === 'Variable') new DataView(bytes.buffer).setFloat32(0, NaN, true);
        return name === 'Variable_47' ? bytes.subarray(4) : bytes;
      },
    });
    await expectRefused(dir, 'file-size-mismatch', 'Variable_47');
  });

  it('weights over the total-size budget', async () => {
    const dir = await modelFolder();
    const maxTotalBytes = fileBytes(0) + fileBytes(1) + fileBytes(2) - 1;
    const refusal = await expectRefused(dir, 'too-large', 'Variable_2', { maxTotalBytes });
    expect(refusal.message).toContain(String(maxTotalBytes));
  });
});
