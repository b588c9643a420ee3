import { mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  displayName,
  listModelFolders,
  MAX_STYLE_IMAGE_BYTES,
  ModelLibrary,
  parseModelId,
} from '../../main/core/model-library.js';
import { makeTempDir } from '../support/model-fixtures.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const STYLE_JPEG = path.resolve(REPO_ROOT, '../shared/images/style/wave.jpg');
const PNG_BYTES = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

/** A folder the library treats as a model: listing only looks for a model's file (the engine validates). */
async function model(root: string, folder: string, extra: Record<string, string | Uint8Array> = {}) {
  const dir = path.join(root, folder);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.json'), '{}');
  for (const [name, content] of Object.entries(extra)) await writeFile(path.join(dir, name), content);
  return dir;
}

async function library(): Promise<{ bundled: string; user: string; lib: ModelLibrary }> {
  const tmp = await makeTempDir();
  const bundled = path.join(tmp, 'bundled');
  const user = path.join(tmp, 'user');
  await mkdir(bundled);
  await mkdir(user);
  return { bundled, user, lib: new ModelLibrary({ bundledDir: bundled, userDir: () => user }) };
}

describe('displayName', () => {
  it('turns folder names into names for people', () => {
    expect(displayName('rain_princess')).toBe('Rain Princess');
    expect(displayName('la-muse')).toBe('La Muse');
    expect(displayName('udnie')).toBe('Udnie');
    expect(displayName('the__great  wave')).toBe('The Great Wave');
    expect(displayName('élan_vital')).toBe('Élan Vital');
    expect(displayName('___')).toBe('___');
  });
});

describe('parseModelId', () => {
  it('splits a good id', () => {
    expect(parseModelId('bundled:wave')).toEqual({ source: 'bundled', folder: 'wave' });
    expect(parseModelId('user:my model:v2')).toEqual({ source: 'user', folder: 'my model:v2' });
  });

  it.each([
    'wave',
    'system:wave',
    'user:',
    'user:..',
    'user:.',
    'user:../x',
    'user:a/b',
    'user:a\\b',
    'user:/etc',
    'user:.hidden',
    'user:a\u0000b',
    'user:a\nb',
    `user:${'x'.repeat(2000)}`,
  ])('refuses %j with invalid-model-id', (id) => {
    expect(() => parseModelId(id)).toThrow(expect.objectContaining({ code: 'invalid-model-id' }));
  });
});

describe('ModelLibrary.list', () => {
  it('lists model folders from both sources, named, flagged and sorted by name', async () => {
    const { bundled, user, lib } = await library();
    await model(bundled, 'wave', { 'style.jpg': await readFile(STYLE_JPEG) });
    await model(bundled, 'rain_princess');
    await model(user, 'la_muse', { 'Style.PNG': PNG_BYTES });
    await model(user, 'zebra');
    await model(user, 'wave'); // Same folder name as a bundled one: a different model.

    expect(await lib.list()).toEqual([
      {
        id: 'user:la_muse',
        name: 'La Muse',
        source: 'user',
        format: 'ml5',
        hasStyleImage: true,
        editable: false,
      },
      {
        id: 'bundled:rain_princess',
        name: 'Rain Princess',
        source: 'bundled',
        format: 'ml5',
        hasStyleImage: false,
        editable: false,
      },
      {
        id: 'bundled:wave',
        name: 'Wave',
        source: 'bundled',
        format: 'ml5',
        hasStyleImage: true,
        editable: false,
      },
      { id: 'user:wave', name: 'Wave', source: 'user', format: 'ml5', hasStyleImage: false, editable: false },
      {
        id: 'user:zebra',
        name: 'Zebra',
        source: 'user',
        format: 'ml5',
        hasStyleImage: false,
        editable: false,
      },
    ]);
  });

  it('skips what is not a model folder', async () => {
    const { bundled, user, lib } = await library();
    await model(bundled, 'good');
    await model(bundled, '.hidden');
    await mkdir(path.join(bundled, 'no-manifest'));
    await writeFile(path.join(bundled, 'loose-file.json'), '{}');
    await mkdir(path.join(bundled, 'manifest-is-a-folder', 'manifest.json'), { recursive: true });
    await model(user, 'line\nbreak');
    await symlink(path.join(bundled, 'nowhere'), path.join(user, 'dangling'));

    expect((await lib.list()).map((m) => m.id)).toEqual(['bundled:good']);
  });

  it('lists ONNX networks and tfjs graph models beside ml5 folders, by their files', async () => {
    const { bundled, user, lib } = await library();
    await model(bundled, 'ml5');
    await mkdir(path.join(user, 'onnx'));
    await writeFile(path.join(user, 'onnx', 'udnie.onnx'), '');
    await mkdir(path.join(user, 'graph'));
    await writeFile(path.join(user, 'graph', 'model.json'), '{}');
    await mkdir(path.join(user, 'onnx-is-a-folder', 'udnie.onnx'), { recursive: true });
    await mkdir(path.join(user, 'sidecar-only'));
    await writeFile(path.join(user, 'sidecar-only', 'stylemirror.json'), '{}');

    expect((await lib.list()).map((m) => m.id)).toEqual(['user:graph', 'bundled:ml5', 'user:onnx']);
    expect((await lib.resolve('user:onnx')).dir).toBe(path.join(user, 'onnx'));
    await expect(lib.resolve('user:sidecar-only')).rejects.toMatchObject({ code: 'model-not-found' });
  });

  it('follows a link to a model folder kept elsewhere (a person may link their models in)', async () => {
    const { bundled, user, lib } = await library();
    const elsewhere = await model(bundled, 'original');
    await symlink(elsewhere, path.join(user, 'linked'));
    expect((await lib.list()).map((m) => m.id)).toEqual(['user:linked', 'bundled:original']);
    expect((await lib.resolve('user:linked')).dir).toBe(path.join(user, 'linked'));
  });

  it('has no user models without a user folder, and none from a folder that is missing or a file', async () => {
    const { bundled, user } = await library();
    await model(bundled, 'wave');
    await writeFile(path.join(user, 'a-file'), 'x');
    for (const userDir of [null, '', path.join(user, 'missing'), path.join(user, 'a-file')]) {
      const lib = new ModelLibrary({ bundledDir: bundled, userDir: () => userDir });
      expect((await lib.list()).map((m) => m.id)).toEqual(['bundled:wave']);
    }
    const noneAtAll = new ModelLibrary({ bundledDir: path.join(user, 'missing'), userDir: () => null });
    expect(await noneAtAll.list()).toEqual([]);
  });

  it('sees the user folder change at once (the folder is asked for on every call)', async () => {
    const { bundled, user } = await library();
    const other = path.join(user, '..', 'other');
    await model(user, 'mine');
    await model(other, 'theirs');
    let userDir = user;
    const lib = new ModelLibrary({ bundledDir: bundled, userDir: () => userDir });
    expect((await lib.list()).map((m) => m.id)).toEqual(['user:mine']);
    userDir = other;
    expect((await lib.list()).map((m) => m.id)).toEqual(['user:theirs']);
    await expect(lib.resolve('user:mine')).rejects.toMatchObject({ code: 'model-not-found' });
  });

  it('lists at most the cap per folder, the first by folder name', async () => {
    const { bundled, user } = await library();
    for (const name of ['d', 'b', 'a', 'c']) await model(bundled, name);
    await model(user, 'e');
    const lib = new ModelLibrary({ bundledDir: bundled, userDir: () => user, maxModelsPerFolder: 2 });
    expect((await lib.list()).map((m) => m.id)).toEqual(['bundled:a', 'bundled:b', 'user:e']);
    expect(await listModelFolders(bundled, 3)).toEqual(['a', 'b', 'c']);
  });

  it('lists the real ml5 models by their folder names', async () => {
    const shared = path.resolve(REPO_ROOT, '../shared/models/ml5');
    const lib = new ModelLibrary({ bundledDir: shared, userDir: () => null });
    const models = await lib.list();
    expect(models.map((m) => m.id)).toContain('bundled:rain_princess');
    expect(models.find((m) => m.id === 'bundled:rain_princess')?.name).toBe('Rain Princess');
  });
});

describe('ModelLibrary.resolve', () => {
  it('gives the folder and description of a model', async () => {
    const { user, lib } = await library();
    const dir = await model(user, 'rain_princess', { 'style.webp': 'RIFF\0\0\0\0WEBPVP8 ' });
    expect(await lib.resolve('user:rain_princess')).toEqual({
      dir,
      info: {
        id: 'user:rain_princess',
        name: 'Rain Princess',
        source: 'user',
        format: 'ml5',
        hasStyleImage: true,
        editable: false,
      },
    });
  });

  it('refuses ids that try to leave the models folder, with invalid-model-id', async () => {
    const { bundled, user, lib } = await library();
    // Real model folders sit where each escape would lead, so only the check can stop it.
    await model(path.dirname(user), 'outside');
    await model(bundled, 'inside');
    for (const id of [
      'user:../outside',
      'user:..',
      'bundled:../user',
      `user:${path.dirname(user)}/outside`,
    ]) {
      await expect(lib.resolve(id), id).rejects.toMatchObject({
        name: 'ModelLibraryError',
        code: 'invalid-model-id',
        message: expect.stringContaining(JSON.stringify(id)),
      });
    }
    await expect(lib.resolve('user:inside\u0000')).rejects.toMatchObject({ code: 'invalid-model-id' });
  });

  it('says model-not-found for a missing model, a folder without manifest, and no user folder', async () => {
    const { bundled, user, lib } = await library();
    await mkdir(path.join(user, 'empty'));
    await expect(lib.resolve('user:nope')).rejects.toMatchObject({
      code: 'model-not-found',
      message: expect.stringMatching(/"user:nope".*no model folder "nope" in your models folder/),
    });
    await expect(lib.resolve('user:empty')).rejects.toMatchObject({ code: 'model-not-found' });
    const noUser = new ModelLibrary({ bundledDir: bundled, userDir: () => null });
    await expect(noUser.resolve('user:empty')).rejects.toMatchObject({
      code: 'model-not-found',
      message: expect.stringMatching(/no folder of your own models is set/),
    });
  });
});

describe('the library source', () => {
  async function withLibrary() {
    const parts = await library();
    const libraryDir = path.join(path.dirname(parts.bundled), 'library');
    await mkdir(libraryDir);
    const lib = new ModelLibrary({ bundledDir: parts.bundled, libraryDir, userDir: () => parts.user });
    return { ...parts, libraryDir, lib };
  }
  const entry = {
    version: 1,
    name: 'My Blue Period',
    format: 'ml5',
    source: 'imported',
    addedAt: '2026-12-01T10:00:00.000Z',
    licence: { name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' },
    origin: 'blue.zip',
  };

  it('sweeps what an interrupted import or delete left, once it is old, and nothing else', async () => {
    const { libraryDir, lib } = await withLibrary();
    await model(libraryDir, 'blue', { 'library-entry.json': JSON.stringify(entry) });
    for (const name of ['.staging-old', '.removing-old', '.staging-fresh']) {
      await mkdir(path.join(libraryDir, name, 'inner'), { recursive: true });
      await writeFile(path.join(libraryDir, name, 'inner', 'weights.bin'), 'x');
    }
    await writeFile(path.join(libraryDir, '.staging-a-file'), 'not a folder: not ours');
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(path.join(libraryDir, '.staging-old'), hourAgo, hourAgo);
    await utimes(path.join(libraryDir, '.removing-old'), hourAgo, hourAgo);
    await utimes(path.join(libraryDir, 'blue'), hourAgo, hourAgo);

    expect((await lib.sweepLeftovers()).sort()).toEqual(['.removing-old', '.staging-old']);
    expect((await readdir(libraryDir)).sort()).toEqual(['.staging-a-file', '.staging-fresh', 'blue']);
    expect((await lib.list()).map((m) => m.id)).toContain('library:blue');
    // An import under way elsewhere is younger than the bound: kept until it is old.
    expect(await lib.sweepLeftovers(60 * 60 * 1000, Date.now() + 2 * 60 * 60 * 1000)).toEqual([
      '.staging-fresh',
    ]);
  });

  it('has nothing to sweep without a library folder, or one that is missing', async () => {
    const parts = await library();
    expect(
      await new ModelLibrary({ bundledDir: parts.bundled, userDir: () => null }).sweepLeftovers(),
    ).toEqual([]);
    const missing = new ModelLibrary({
      bundledDir: parts.bundled,
      libraryDir: path.join(parts.bundled, 'no-such-folder'),
      userDir: () => null,
    });
    expect(await missing.sweepLeftovers()).toEqual([]);
  });

  it('lists library models with the name, licence and date from their entry, and only they are editable', async () => {
    const { bundled, libraryDir, lib } = await withLibrary();
    await model(libraryDir, 'blue', { 'library-entry.json': JSON.stringify(entry) });
    await model(bundled, 'mathura', {
      'library-entry.json': JSON.stringify({
        ...entry,
        name: 'Mathura',
        source: 'bundled',
        licence: { name: 'MIT' },
      }),
    });
    expect(await lib.list()).toEqual([
      {
        id: 'bundled:mathura',
        name: 'Mathura',
        source: 'bundled',
        format: 'ml5',
        hasStyleImage: false,
        licence: { name: 'MIT' },
        editable: false,
      },
      {
        id: 'library:blue',
        name: 'My Blue Period',
        source: 'library',
        format: 'ml5',
        hasStyleImage: false,
        licence: entry.licence,
        addedAt: entry.addedAt,
        editable: true,
      },
    ]);
  });

  it('falls back to the folder name when the entry is damaged, oversized or not UTF-8', async () => {
    const { libraryDir, lib } = await withLibrary();
    await model(libraryDir, 'broken_json', { 'library-entry.json': '{"version": 1, "name": ' });
    await model(libraryDir, 'wrong_shape', { 'library-entry.json': JSON.stringify({ ...entry, name: 7 }) });
    await model(libraryDir, 'huge', {
      'library-entry.json': JSON.stringify({ ...entry, origin: 'x'.repeat(100_000) }),
    });
    await model(libraryDir, 'latin1', { 'library-entry.json': Buffer.from([0x7b, 0xe9, 0x7d]) });
    expect((await lib.list()).map((m) => m.name)).toEqual(['Broken Json', 'Huge', 'Latin1', 'Wrong Shape']);
  });

  it('lists graph and ONNX models by their files, as the engine detects them, and not a sidecar alone', async () => {
    const { libraryDir, lib } = await withLibrary();
    await mkdir(path.join(libraryDir, 'graph'));
    await writeFile(path.join(libraryDir, 'graph', 'model.json'), '{}');
    await writeFile(path.join(libraryDir, 'graph', 'stylemirror.json'), '{}');
    await mkdir(path.join(libraryDir, 'torch'));
    await writeFile(path.join(libraryDir, 'torch', 'candy.onnx'), 'x');
    await writeFile(path.join(libraryDir, 'torch', 'stylemirror.json'), '{}');
    await mkdir(path.join(libraryDir, 'sidecar_only'));
    await writeFile(path.join(libraryDir, 'sidecar_only', 'stylemirror.json'), '{}');
    expect((await lib.list()).map((m) => [m.id, m.format])).toEqual([
      ['library:graph', 'tfjs-graph'],
      ['library:torch', 'onnx'],
    ]);
  });

  it('renames a library model (its id stays) and refuses bad names', async () => {
    const { libraryDir, lib } = await withLibrary();
    await model(libraryDir, 'blue', { 'library-entry.json': JSON.stringify(entry) });
    await model(libraryDir, 'plain');
    expect(await lib.rename('library:blue', '  Rose Period ')).toMatchObject({
      id: 'library:blue',
      name: 'Rose Period',
    });
    expect(
      JSON.parse(await readFile(path.join(libraryDir, 'blue', 'library-entry.json'), 'utf8')),
    ).toMatchObject({
      ...entry,
      name: 'Rose Period',
    });
    // A library folder without an entry gets one.
    expect(await lib.rename('library:plain', 'Plain Style')).toMatchObject({
      name: 'Plain Style',
      format: 'ml5',
    });
    for (const bad of ['', '   ', 'x'.repeat(81), 'new\nline']) {
      await expect(lib.rename('library:blue', bad), bad).rejects.toMatchObject({
        code: 'invalid-model-name',
      });
    }
    expect((await lib.resolve('library:blue')).info.name).toBe('Rose Period');
  });

  it('deletes a library model and nothing else', async () => {
    const { libraryDir, lib } = await withLibrary();
    await model(libraryDir, 'blue', { 'library-entry.json': JSON.stringify(entry) });
    await model(libraryDir, 'keep');
    await lib.remove('library:blue');
    expect((await lib.list()).map((m) => m.id)).toEqual(['library:keep']);
    expect(await readdir(libraryDir)).toEqual(['keep']);
    await expect(lib.remove('library:blue')).rejects.toMatchObject({ code: 'model-not-found' });
  });

  it("never renames or deletes bundled models or the person's own folder", async () => {
    const { bundled, user, lib } = await withLibrary();
    await model(bundled, 'mathura');
    await model(user, 'mine');
    for (const id of ['bundled:mathura', 'user:mine']) {
      await expect(lib.remove(id), id).rejects.toMatchObject({ code: 'model-read-only' });
      await expect(lib.rename(id, 'New'), id).rejects.toMatchObject({ code: 'model-read-only' });
    }
    expect(await readdir(path.join(bundled, 'mathura'))).toEqual(['manifest.json']);
    expect(await readdir(path.join(user, 'mine'))).toEqual(['manifest.json']);
  });

  it('refuses ids that leave the library', async () => {
    const { libraryDir, lib } = await withLibrary();
    await model(path.dirname(libraryDir), 'outside');
    await expect(lib.remove('library:../outside')).rejects.toMatchObject({ code: 'invalid-model-id' });
    expect(await readdir(path.join(path.dirname(libraryDir), 'outside'))).toEqual(['manifest.json']);
  });
});

describe('ModelLibrary.styleImage', () => {
  it('returns the bytes with the type found in them, not in the name', async () => {
    const { bundled, lib } = await library();
    const jpeg = await readFile(STYLE_JPEG);
    await model(bundled, 'wave', { 'style.jpg': jpeg });
    await model(bundled, 'misnamed', { 'style.webp': PNG_BYTES });
    await model(bundled, 'plain');

    const wave = await lib.styleImage('bundled:wave');
    expect(wave?.mimeType).toBe('image/jpeg');
    expect(wave?.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(wave!.bytes).equals(jpeg)).toBe(true);
    expect(await lib.styleImage('bundled:misnamed')).toEqual({ bytes: PNG_BYTES, mimeType: 'image/png' });
    expect(await lib.styleImage('bundled:plain')).toBeNull();
  });

  it('refuses a file that is not an image, and one over the size cap', async () => {
    const { bundled, lib } = await library();
    await model(bundled, 'text', { 'style.png': 'just some text' });
    await model(bundled, 'huge', { 'style.jpg': new Uint8Array(MAX_STYLE_IMAGE_BYTES + 1).fill(0xff) });
    await expect(lib.styleImage('bundled:text')).rejects.toMatchObject({ code: 'style-image-invalid' });
    await expect(lib.styleImage('bundled:huge')).rejects.toMatchObject({
      code: 'style-image-too-large',
      message: expect.stringMatching(/20 MB/),
    });
  });

  it('does not follow a style image link out of the model folder, nor take a folder for an image', async () => {
    const { bundled, user, lib } = await library();
    const secret = path.join(user, 'secret.png');
    await writeFile(secret, PNG_BYTES);
    const dir = await model(bundled, 'linked');
    await symlink(secret, path.join(dir, 'style.png'));
    const folder = await model(bundled, 'folder');
    await mkdir(path.join(folder, 'style.jpg'));
    const inside = await model(bundled, 'inside-link', { 'real.png': PNG_BYTES });
    await symlink(path.join(inside, 'real.png'), path.join(inside, 'style.png'));

    expect(await lib.styleImage('bundled:linked')).toBeNull();
    expect(await lib.styleImage('bundled:folder')).toBeNull();
    expect((await lib.styleImage('bundled:inside-link'))?.mimeType).toBe('image/png');
    const listed = await lib.list();
    expect(listed.map((m) => [m.id, m.hasStyleImage])).toEqual([
      ['bundled:folder', false],
      ['bundled:inside-link', true],
      ['bundled:linked', false],
    ]);
  });

  it('refuses traversal ids as resolve does', async () => {
    const { lib } = await library();
    await expect(lib.styleImage('user:../../etc')).rejects.toMatchObject({ code: 'invalid-model-id' });
  });
});
