import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultName,
  importModel,
  ModelImportError,
  modelSlug,
  type ImportModelOptions,
  type ImportProgress,
  type ModelImportErrorCode,
} from '../../main/core/model-import.js';
import { LIBRARY_ENTRY_FILE, type LibraryEntry } from '../../main/core/library-entry.js';
import { readMl5Model } from '../../main/engine/model/ml5-model-reader.js';
import { ModelError } from '../../main/engine/model/model-errors.js';
import {
  cloneFolder,
  NO_REAL_MODELS,
  SHARED_ML5_MODELS,
  SHARED_STYLE_IMAGES,
  validateMl5,
} from '../support/import-fixtures.js';
import { makeTempDir } from '../support/model-fixtures.js';
import { makeZip, snapshotTree, type ZipInput } from '../support/zip-fixtures.js';

if (NO_REAL_MODELS !== null) console.warn(`Skipping model-import tests: ${NO_REAL_MODELS}.`);
const realModels = describe.skipIf(NO_REAL_MODELS !== null);

const RAIN_PRINCESS = path.join(SHARED_ML5_MODELS, 'rain_princess');

/** A temp folder with an empty library in it and a copy of rain_princess (+ style.jpg) as a source. */
async function setup(): Promise<{ tmp: string; libraryDir: string; source: string }> {
  const tmp = await makeTempDir();
  const libraryDir = path.join(tmp, 'library');
  await mkdir(libraryDir);
  const source = path.join(tmp, 'rain_princess');
  await cloneFolder(RAIN_PRINCESS, source);
  await copyFile(path.join(SHARED_STYLE_IMAGES, 'rain_princess.jpg'), path.join(source, 'style.jpg'));
  return { tmp, libraryDir, source };
}

/** The files of a model folder as zip entries under `prefix` ('' or 'folder/'). */
async function zipEntries(dir: string, prefix: string): Promise<ZipInput[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(
    names.map(async (name) => ({ path: prefix + name, bytes: await readFile(path.join(dir, name)) })),
  );
}

function run(options: Omit<ImportModelOptions, 'validate'> & Partial<Pick<ImportModelOptions, 'validate'>>) {
  return importModel({ validate: validateMl5, ...options });
}

/** Expects `work` to be refused with `code`, and the library to be exactly as it was. */
async function expectRefused(
  libraryDir: string,
  work: () => Promise<unknown>,
  code: ModelImportErrorCode,
  message?: RegExp,
): Promise<ModelImportError> {
  const before = await snapshotTree(libraryDir);
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a refusal with ${code}`).toBeInstanceOf(ModelImportError);
  expect((error as ModelImportError).code, (error as Error).message).toBe(code);
  if (message !== undefined) expect((error as Error).message).toMatch(message);
  expect(await snapshotTree(libraryDir)).toEqual(before);
  return error as ModelImportError;
}

/** The model in `dir` as the reader loads it, as one digest (comparing 1.7M floats one by one is slow). */
async function weightBytes(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const w of (await readMl5Model(dir)).weights)
    hash.update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  return hash.digest('hex');
}

async function readEntry(dir: string): Promise<LibraryEntry> {
  return JSON.parse(await readFile(path.join(dir, LIBRARY_ENTRY_FILE), 'utf8')) as LibraryEntry;
}

describe('names and slugs', () => {
  it('makes a name for people from a folder or zip name', () => {
    expect(defaultName('rain_princess')).toBe('Rain Princess');
    expect(defaultName('la-muse')).toBe('La Muse');
    expect(defaultName(null)).toBe('Imported Model');
    expect(defaultName('')).toBe('Imported Model');
    expect(defaultName('evil\u0007\u202ename\n')).toBe('Evil Name');
    expect([...defaultName('x'.repeat(500))]).toHaveLength(80);
  });

  it('makes slugs of lowercase letters, digits, _ and -', () => {
    expect(modelSlug('Rain Princess')).toBe('rain_princess');
    expect(modelSlug('Élan  Vital!')).toBe('elan_vital');
    expect(modelSlug('..hidden')).toBe('hidden');
    expect(modelSlug('../../etc')).toBe('etc');
    expect(modelSlug('日本')).toBe('model');
    expect(modelSlug('a'.repeat(100))).toHaveLength(64);
    for (const name of ['Rain Princess', '--x--', 'ABC_def-9', '\u0000', 'con', '.staging-1']) {
      expect(modelSlug(name)).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
    }
  });
});

describe('importModel with a stand-in validator', () => {
  const accept = async () => ({ format: 'ml5' as const });
  const files = (prefix: string) => [{ path: `${prefix}manifest.json`, bytes: new Uint8Array([123, 125]) }];

  it('never gives a model a folder name Windows reserves for a device', async () => {
    const libraryDir = path.join(await makeTempDir(), 'library');
    const result = await importModel({
      libraryDir,
      source: { kind: 'files', files: files('') },
      name: 'CON',
      validate: accept,
    });
    expect(result).toMatchObject({ slug: 'con-2', name: 'CON' });
  });

  it("keeps an upload's file name as its origin, without control characters", async () => {
    const libraryDir = path.join(await makeTempDir(), 'library');
    const zip = await makeZip([{ path: 'manifest.json', bytes: '{}' }]);
    const result = await importModel({
      libraryDir,
      source: { kind: 'files', files: [{ path: 'evil\u001b[2J_style.zip', bytes: new Uint8Array(zip) }] },
      validate: accept,
    });
    expect(result).toMatchObject({ slug: 'evil_2j_style', name: 'Evil [2J Style' });
    expect(await readEntry(result.dir)).toMatchObject({ origin: 'evil[2J_style.zip' });
  });

  it('names multi-selected files with no folder "Imported Model"', async () => {
    const libraryDir = path.join(await makeTempDir(), 'library');
    const result = await importModel({
      libraryDir,
      source: { kind: 'files', files: files('') },
      validate: accept,
    });
    expect(result).toMatchObject({ slug: 'imported_model', name: 'Imported Model' });
    expect(await readEntry(result.dir)).not.toHaveProperty('origin');
  });
});

realModels('importModel on a real ml5 model', () => {
  let expectedBytes: string;
  beforeAll(async () => {
    expectedBytes = await weightBytes(RAIN_PRINCESS);
  });

  it('imports a folder with its style image: files, library entry, loadable, progress in order', async () => {
    const { libraryDir, source } = await setup();
    const progress: ImportProgress[] = [];
    const before = Date.now();
    const result = await run({
      libraryDir,
      source: { kind: 'folder', path: source },
      onProgress: (p) => progress.push(p),
    });

    expect(result).toEqual({
      id: 'library:rain_princess',
      slug: 'rain_princess',
      dir: path.join(libraryDir, 'rain_princess'),
      name: 'Rain Princess',
      format: 'ml5',
    });
    expect(await readdir(libraryDir)).toEqual(['rain_princess']);
    expect((await readdir(result.dir)).sort()).toEqual(
      [...(await readdir(source)), LIBRARY_ENTRY_FILE].sort(),
    );
    expect(await readFile(path.join(result.dir, 'style.jpg'))).toEqual(
      await readFile(path.join(source, 'style.jpg')),
    );

    const entry = await readEntry(result.dir);
    expect(entry).toEqual({
      version: 1,
      name: 'Rain Princess',
      format: 'ml5',
      source: 'imported',
      addedAt: expect.any(String),
      origin: 'rain_princess',
    });
    expect(Date.parse(entry.addedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(await weightBytes(result.dir)).toEqual(expectedBytes);

    const stages = progress.map((p) => p.stage);
    expect([...new Set(stages)]).toEqual(['copying', 'validating', 'finishing']);
    const copying = progress.filter((p) => p.stage === 'copying');
    expect(copying[0]!.done).toBe(0);
    expect(copying.at(-1)!.done).toBe(copying[0]!.total);
    expect(copying[0]!.total).toBeGreaterThan(6_600_000);
    expect(copying.every((p, i) => i === 0 || p.done >= copying[i - 1]!.done)).toBe(true);
  });

  it('imports a model whose manifest still lists the optimizer slots of its training run', async () => {
    const { libraryDir, source } = await setup();
    const manifest = JSON.parse(await readFile(path.join(source, 'manifest.json'), 'utf8')) as Record<
      string,
      { filename: string; shape: number[] }
    >;
    manifest['Variable_3/Adam'] = { filename: 'Variable_3_Adam', shape: manifest['Variable_3']!.shape };
    manifest['Variable_3/Adam_1'] = { filename: 'Variable_3_Adam_1', shape: manifest['Variable_3']!.shape };
    manifest['beta1_power'] = { filename: 'beta1_power', shape: [] };
    manifest['beta2_power'] = { filename: 'beta2_power', shape: [] }; // listed, file never written
    await rm(path.join(source, 'manifest.json'));
    await writeFile(path.join(source, 'manifest.json'), JSON.stringify(manifest));
    await copyFile(path.join(source, 'Variable_3'), path.join(source, 'Variable_3_Adam'));
    await copyFile(path.join(source, 'Variable_3'), path.join(source, 'Variable_3_Adam_1'));
    await writeFile(path.join(source, 'beta1_power'), new Uint8Array(4));

    const result = await run({ libraryDir, source: { kind: 'folder', path: source } });
    expect(await readdir(result.dir)).toEqual(expect.arrayContaining(['Variable_3_Adam', 'beta1_power']));
    expect(await weightBytes(result.dir)).toEqual(expectedBytes);
  });

  it('imports a zip of a folder (nested one deep), leaving out __MACOSX and .DS_Store', async () => {
    const { tmp, libraryDir, source } = await setup();
    const zip = path.join(tmp, 'my_style.zip');
    const entries = await zipEntries(source, 'rain_princess/');
    await writeFile(
      zip,
      await makeZip([
        { path: 'rain_princess/' },
        ...entries,
        { path: 'rain_princess/.DS_Store', bytes: 'junk' },
        { path: '__MACOSX/rain_princess/._manifest.json', bytes: 'junk' },
      ]),
    );
    const progress: ImportProgress[] = [];
    const result = await run({
      libraryDir,
      source: { kind: 'zip', path: zip },
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ slug: 'my_style', name: 'My Style', format: 'ml5' });
    expect((await readdir(result.dir)).sort()).toEqual(
      [...entries.map((e) => e.path.slice(14)), LIBRARY_ENTRY_FILE].sort(),
    );
    expect(await readEntry(result.dir)).toMatchObject({ origin: 'my_style.zip', source: 'imported' });
    expect(await weightBytes(result.dir)).toEqual(expectedBytes);
    expect(progress[0]).toMatchObject({ stage: 'extracting', done: 0 });
  });

  it('imports a zip with its files at the top level, and a zip uploaded as bytes', async () => {
    const { tmp, libraryDir, source } = await setup();
    const bytes = await makeZip(await zipEntries(source, ''));
    await writeFile(path.join(tmp, 'Scream Copy.zip'), bytes);
    const fromPath = await run({
      libraryDir,
      source: { kind: 'zip', path: path.join(tmp, 'Scream Copy.zip') },
    });
    expect(fromPath).toMatchObject({ slug: 'scream_copy', name: 'Scream Copy' });

    const uploaded = await run({
      libraryDir,
      source: { kind: 'files', files: [{ path: 'Scream Copy.ZIP', bytes: new Uint8Array(bytes) }] },
    });
    expect(uploaded).toMatchObject({ slug: 'scream_copy-2', name: 'Scream Copy' });
    const modelFiles = async (dir: string) =>
      (await snapshotTree(dir)).filter((line) => !line.startsWith(LIBRARY_ENTRY_FILE));
    expect(await modelFiles(uploaded.dir)).toEqual(await modelFiles(fromPath.dir));
    expect(await weightBytes(uploaded.dir)).toEqual(expectedBytes);
  });

  it("imports a dropped folder's files (relative paths) and names it after the folder", async () => {
    const { libraryDir, source } = await setup();
    const files = (await zipEntries(source, 'rain_princess/')).map((e) => ({
      path: e.path,
      bytes: new Uint8Array(e.bytes as Buffer),
    }));
    files.push({ path: 'rain_princess/.DS_Store', bytes: new Uint8Array(3) });
    const result = await run({ libraryDir, source: { kind: 'files', files } });
    expect(result).toMatchObject({ slug: 'rain_princess', name: 'Rain Princess' });
    expect(await readdir(result.dir)).not.toContain('.DS_Store');
    expect(await weightBytes(result.dir)).toEqual(expectedBytes);
  });

  it('gives a second model of the same name the next free slug, never replacing one', async () => {
    const { libraryDir, source } = await setup();
    await mkdir(path.join(libraryDir, 'rain_princess-2')); // someone else's folder
    await writeFile(path.join(libraryDir, 'rain_princess-2', 'keep.txt'), 'mine');
    await writeFile(path.join(libraryDir, 'RAIN_PRINCESS-3'), 'a file, not a model');

    const slugs: string[] = [];
    for (let i = 0; i < 3; i++) {
      slugs.push((await run({ libraryDir, source: { kind: 'folder', path: source } })).slug);
    }
    const named = await run({
      libraryDir,
      source: { kind: 'folder', path: source },
      name: '  Rain Princess ',
    });
    expect([...slugs, named.slug]).toEqual([
      'rain_princess',
      'rain_princess-4',
      'rain_princess-5',
      'rain_princess-6',
    ]);
    expect(named.name).toBe('Rain Princess');
    expect(await readFile(path.join(libraryDir, 'rain_princess-2', 'keep.txt'), 'utf8')).toBe('mine');

    // Two imports racing for the same name both land, under different slugs.
    const both = await Promise.all(
      [0, 1].map(() => run({ libraryDir, source: { kind: 'folder', path: source }, name: 'Twin' })),
    );
    expect(both.map((r) => r.slug).sort()).toEqual(['twin', 'twin-2']);
    expect((await readdir(libraryDir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('writes the name, pack tag, licence and origin it is given', async () => {
    const { libraryDir, source } = await setup();
    const licence = {
      name: 'CC BY 4.0',
      url: 'https://creativecommons.org/licenses/by/4.0/',
      notice: 'By A. Painter',
    };
    const result = await run({
      libraryDir,
      source: { kind: 'folder', path: source },
      name: 'Prinzessin im Regen',
      sourceTag: 'pack:classics',
      licence,
      origin: 'https://example.org/models/rain.zip',
    });
    expect(result.slug).toBe('prinzessin_im_regen');
    expect(await readEntry(result.dir)).toMatchObject({
      name: 'Prinzessin im Regen',
      source: 'pack:classics',
      licence,
      origin: 'https://example.org/models/rain.zip',
    });
  });

  it('writes its own library-entry.json, never the one the source brings', async () => {
    const { libraryDir, source } = await setup();
    await writeFile(
      path.join(source, LIBRARY_ENTRY_FILE),
      JSON.stringify({ version: 1, source: 'pack:official', name: 'Trusted' }),
    );
    const result = await run({ libraryDir, source: { kind: 'folder', path: source } });
    expect(await readEntry(result.dir)).toMatchObject({ name: 'Rain Princess', source: 'imported' });
  });

  it('aborted mid-way, removes everything it wrote', async () => {
    const { libraryDir, source } = await setup();
    const controller = new AbortController();
    let copied = 0;
    const error = await expectRefused(
      libraryDir,
      () =>
        run({
          libraryDir,
          source: { kind: 'folder', path: source },
          signal: controller.signal,
          onProgress: (p) => {
            if (p.stage === 'copying' && p.done > 0 && ++copied === 5) controller.abort();
          },
        }),
      'import-aborted',
    );
    expect(copied).toBe(5);
    expect(error.message).toMatch(/cancelled/);
  });

  it('aborted while validating a zip, or before starting, adds nothing', async () => {
    const { tmp, libraryDir, source } = await setup();
    const zip = path.join(tmp, 'x.zip');
    await writeFile(zip, await makeZip(await zipEntries(source, '')));
    const controller = new AbortController();
    await expectRefused(
      libraryDir,
      () =>
        run({
          libraryDir,
          source: { kind: 'zip', path: zip },
          signal: controller.signal,
          validate: async (dir) => {
            const result = await validateMl5(dir);
            controller.abort();
            return result;
          },
        }),
      'import-aborted',
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'zip', path: zip }, signal: AbortSignal.abort() }),
      'import-aborted',
    );
  });

  it("passes the reader's refusal through with its own code, and adds nothing", async () => {
    const { libraryDir, source } = await setup();
    const weight = path.join(source, 'Variable_12');
    const bytes = await readFile(weight);
    await rm(weight);
    await writeFile(weight, bytes.subarray(0, 1000));
    const before = await snapshotTree(libraryDir);
    const error = await run({ libraryDir, source: { kind: 'folder', path: source } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'file-size-mismatch', model: 'rain_princess', file: 'Variable_12' });
    expect(await snapshotTree(libraryDir)).toEqual(before);
  });

  it('refuses a folder holding a symbolic link, even one that stays inside', async () => {
    const { libraryDir, source } = await setup();
    await symlink('Variable_1', path.join(source, 'alias'));
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: source } }),
      'import-symlink',
      /"alias".*symbolic link/,
    );
  });

  it('refuses a weight file that is a link out of the folder', async () => {
    const { tmp, libraryDir, source } = await setup();
    await writeFile(path.join(tmp, 'secret'), 'not yours');
    await rm(path.join(source, 'Variable_1'));
    await symlink(path.join(tmp, 'secret'), path.join(source, 'Variable_1'));
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: source } }),
      'import-symlink',
      /Variable_1/,
    );
  });

  it('refuses a folder holding a named pipe', async (context) => {
    const { libraryDir, source } = await setup();
    try {
      execFileSync('mkfifo', [path.join(source, 'pipe')]);
    } catch {
      context.skip('mkfifo is not available here');
    }
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: source } }),
      'import-special-file',
      /"pipe"/,
    );
  });

  it('refuses sources over the file-count and byte limits, naming the limit', async () => {
    const { libraryDir, source } = await setup();
    const folder = { kind: 'folder', path: source } as const;
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: folder, limits: { maxFiles: 40 } }),
      'import-too-many-files',
      /50 files.*at most 40/,
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: folder, limits: { maxEntries: 20 } }),
      'import-too-many-files',
      /more than 20/,
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: folder, limits: { maxTotalBytes: 4 * 1024 * 1024 } }),
      'import-too-large',
      /4 MiB/,
    );
    const files = [
      { path: 'a/x', bytes: new Uint8Array(10) },
      { path: 'a/y', bytes: new Uint8Array(10) },
    ];
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'files', files }, limits: { maxTotalBytes: 15 } }),
      'import-too-large',
    );
  });

  it('refuses what is not one model folder', async () => {
    const { tmp, libraryDir, source } = await setup();
    const empty = path.join(tmp, 'empty');
    await mkdir(path.join(empty, '.git'), { recursive: true });
    await writeFile(path.join(empty, '.DS_Store'), 'junk');
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: empty } }),
      'not-a-model',
      /holds no model files/,
    );

    const two = path.join(tmp, 'two');
    await cloneFolder(source, path.join(two, 'a'));
    await cloneFolder(source, path.join(two, 'b'));
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: two } }),
      'not-a-model',
      /2 folders \("a", "b"\)/,
    );

    const deep = path.join(tmp, 'deep');
    await cloneFolder(source, path.join(deep, 'outer', 'inner'));
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: deep } }),
      'not-a-model',
      /"outer" holds no files/,
    );

    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: path.join(tmp, 'missing') } }),
      'source-unreadable',
      /does not exist/,
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'folder', path: path.join(source, 'manifest.json') } }),
      'source-unreadable',
      /not a folder/,
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: { kind: 'zip', path: source } }),
      'source-unreadable',
      /not a file/,
    );
  });

  it('refuses uploads with unsafe or clashing paths', async () => {
    const { libraryDir } = await setup();
    const upload = (...paths: string[]) =>
      run({
        libraryDir,
        source: { kind: 'files', files: paths.map((p) => ({ path: p, bytes: new Uint8Array(4) })) },
      });
    for (const bad of [
      '../evil',
      '/etc/passwd',
      'C:\\x',
      'a\\b',
      'a//b',
      './x',
      'con.txt',
      'x:y',
      'new\nline',
    ]) {
      await expectRefused(
        libraryDir,
        () => upload('ok', bad),
        'import-unsafe-path',
        new RegExp(JSON.stringify(bad).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')),
      );
    }
    await expectRefused(libraryDir, () => upload('m/a', 'm/a'), 'import-duplicate-path', /appears twice/);
    await expectRefused(libraryDir, () => upload('m/a', 'm/A'), 'import-duplicate-path', /only in case/);
  });

  it('refuses names, licences and origins it cannot store', async () => {
    const { libraryDir, source } = await setup();
    const folder = { kind: 'folder', path: source } as const;
    for (const name of ['', '   ', 'x'.repeat(81), 'bell\u0007', 'right\u202eto left', 'two\nlines']) {
      await expectRefused(libraryDir, () => run({ libraryDir, source: folder, name }), 'invalid-name');
    }
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: folder, origin: '/home/me/models/x.zip' }),
      'invalid-options',
      /local path/,
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: folder, origin: 'C:\\Users\\me\\x.zip' }),
      'invalid-options',
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: folder, licence: { name: 'MIT', url: 'javascript:alert(1)' } }),
      'invalid-options',
      /licence url/,
    );
    await expectRefused(
      libraryDir,
      () => run({ libraryDir, source: folder, sourceTag: 'pack:../x' as `pack:${string}` }),
      'invalid-options',
    );
  });

  it('reports a library it cannot write, and leaves the source alone', async () => {
    const { tmp, source } = await setup();
    const notAFolder = path.join(tmp, 'library-file');
    await writeFile(notAFolder, 'x');
    const sourceBefore = await snapshotTree(source);
    await expectRefused(
      tmp,
      () => run({ libraryDir: notAFolder, source: { kind: 'folder', path: source } }),
      'library-unwritable',
      /library/,
    );
    expect(await snapshotTree(source)).toEqual(sourceBefore);
  });
});
