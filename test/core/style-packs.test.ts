import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
// MERGE: the real importer (main/core/model-import.ts) once it lands.
import { importModel as copyIntoLibrary } from '../../main/core/model-import.js';
import { DownloadError } from '../../main/core/download.js';
import { ML5_CLASSICS } from '../../main/core/packs/ml5-classics.js';
import { StylePackSchema } from '../../main/core/packs/style-pack-schema.js';
import {
  STYLE_PACKS,
  StylePackError,
  downloadPack,
  findStylePack,
  planPackDownload,
  type DownloadPackOptions,
  type ImportModel,
  type ImportModelRequest,
  type PackProgress,
  type StylePack,
  type ValidateModel,
} from '../../main/core/style-packs.js';
import { readMl5Model } from '../../main/engine/model/ml5-model-reader.js';
import { makeTempDir } from '../support/model-fixtures.js';
import { startPackServer, type PackServer, type PackServerFaults } from '../support/pack-server.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SHARED_ML5 = path.resolve(REPO_ROOT, '../shared/models/ml5');
const haveModels = existsSync(SHARED_ML5);
if (!haveModels)
  console.log(`Style pack downloads not tested: ${SHARED_ML5} (the shared ml5 models) is absent.`);

/** The engine's own reader, as production validates. */
const validate: ValidateModel = async (dir) => {
  await readMl5Model(dir);
  return { format: 'ml5' };
};

/** The ml5 classics with only these models: most tests need one, not six. */
function packOf(...folders: string[]): StylePack {
  return { ...ML5_CLASSICS, models: ML5_CLASSICS.models.filter((m) => folders.includes(m.folder)) };
}

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** An importer that records what it is handed (the folder's files and hashes, validated) and adds nothing. */
function recordingImporter(): {
  importModel: ImportModel;
  calls: { request: ImportModelRequest; files: Record<string, string> }[];
} {
  const calls: { request: ImportModelRequest; files: Record<string, string> }[] = [];
  const importModel: ImportModel = async (request) => {
    await request.validate(request.source.path);
    const files: Record<string, string> = {};
    for (const name of await readdir(request.source.path)) {
      files[name] = await sha256(path.join(request.source.path, name));
    }
    calls.push({ request, files });
    return { id: `library:${request.name}` };
  };
  return { importModel, calls };
}

async function server(faults: PackServerFaults = {}): Promise<PackServer> {
  const started = await startPackServer(SHARED_ML5, faults);
  onTestFinished(() => started.close());
  return started;
}

async function options(
  served: PackServer,
  importModel: ImportModel,
  extra: Partial<DownloadPackOptions> = {},
): Promise<DownloadPackOptions> {
  const dir = await makeTempDir();
  return {
    libraryDir: path.join(dir, 'library'),
    cacheDir: path.join(dir, 'cache'),
    baseUrl: served.url,
    importModel,
    validate,
    transfer: { retryDelayMs: 0 },
    ...extra,
  };
}

const UDNIE = ML5_CLASSICS.models[3]!;
/** The largest file, the one the transfer faults hit. */
const VARIABLE_12 = UDNIE.files.findIndex((f) => f.path === 'Variable_12');
const HALF = UDNIE.files[VARIABLE_12]!.size / 2;

/**
 * Drops udnie's Variable_12 after its first half, once the client has stored exactly that half (the
 * `onProgress` to give downloadPack tells the server when).
 */
function dropVariable12Halfway(): { faults: PackServerFaults; onProgress: (p: PackProgress) => void } {
  const before = UDNIE.files.slice(0, VARIABLE_12).reduce((sum, f) => sum + f.size, 0);
  let stored!: () => void;
  const dropAfter = new Promise<void>((resolve) => (stored = resolve));
  return {
    faults: { dropOnce: 'udnie/Variable_12', dropAfter },
    onProgress: (p) => {
      if (p.bytesDone >= before + HALF) stored();
    },
  };
}

/** Expects the pinned hash of a shared model file. */
const sharedSha = (model: string, file: string): Promise<string> =>
  sha256(path.join(SHARED_ML5, model, file));

describe('style pack definitions', () => {
  it('every shipped pack parses, and ids are found', () => {
    for (const pack of STYLE_PACKS) expect(StylePackSchema.parse(pack)).toEqual(pack);
    expect(findStylePack('ml5-classics')).toBe(STYLE_PACKS[0]);
    expect(() => findStylePack('ml5-classic')).toThrow(/No style pack "ml5-classic"\. Packs: ml5-classics\./);
  });

  it('the ml5 classics: six models of 49 files from ml5-data-and-models, licence notice says research only', () => {
    expect(ML5_CLASSICS.models.map((m) => m.folder)).toEqual([
      'la_muse',
      'rain_princess',
      'scream',
      'udnie',
      'wave',
      'wreck',
    ]);
    for (const model of ML5_CLASSICS.models) expect(model.files).toHaveLength(49);
    expect(ML5_CLASSICS.baseUrl).toBe(
      'https://raw.githubusercontent.com/ml5js/ml5-data-and-models/main/models/style-transfer/',
    );
    expect(ML5_CLASSICS.licence.notice).toMatch(/Logan Engstrom/);
    expect(ML5_CLASSICS.licence.notice).toMatch(/research use only, not for commercial use/);
  });

  it.skipIf(!haveModels)('the pins are the sizes and hashes of the real model files', async () => {
    for (const model of ML5_CLASSICS.models) {
      expect((await readdir(path.join(SHARED_ML5, model.folder))).sort()).toEqual(
        model.files.map((f) => f.path).sort(),
      );
      for (const file of model.files) {
        const real = path.join(SHARED_ML5, model.folder, file.path);
        expect({ path: file.path, size: (await stat(real)).size, sha256: await sha256(real) }).toEqual(file);
      }
    }
  });

  it('refuses a definition with a non-http base URL, a path that leaves its folder, or a repeated model', () => {
    const udnie = UDNIE;
    const bad: [string, StylePack][] = [
      ['file: base', { ...ML5_CLASSICS, baseUrl: 'file:///etc/' }],
      ['no trailing slash', { ...ML5_CLASSICS, baseUrl: 'https://example.org/x' }],
      ['..', { ...ML5_CLASSICS, models: [{ ...udnie, files: [{ ...udnie.files[0]!, path: '../x' }] }] }],
      [
        'absolute',
        { ...ML5_CLASSICS, models: [{ ...udnie, files: [{ ...udnie.files[0]!, path: '/etc/x' }] }] },
      ],
      [
        'bad sha',
        { ...ML5_CLASSICS, models: [{ ...udnie, files: [{ ...udnie.files[0]!, sha256: 'ABC' }] }] },
      ],
      ['repeated model', { ...ML5_CLASSICS, models: [udnie, udnie] }],
      ['bad folder', { ...ML5_CLASSICS, models: [{ ...udnie, folder: '../udnie' }] }],
    ];
    for (const [what, pack] of bad) expect(StylePackSchema.safeParse(pack).success, what).toBe(false);
  });

  it('downloads only from a valid definition, saying what is wrong with one that is not', async () => {
    const dir = await makeTempDir();
    const { importModel, calls } = recordingImporter();
    const escaping = { ...UDNIE, files: [{ ...UDNIE.files[0]!, path: '../../escape' }] };
    const error = await downloadPack(
      { ...ML5_CLASSICS, models: [escaping] },
      { libraryDir: dir, cacheDir: dir, importModel, validate },
    ).catch((e: unknown) => e);
    expect(error).toSatisfy((e) => e instanceof StylePackError && e.code === 'invalid-pack');
    expect((error as Error).message).toMatch(/Style pack "ml5-classics" is not a valid definition:.*models/s);
    expect(calls).toEqual([]);
  });

  it('refuses a base URL override that is not http(s), before any request', async () => {
    const dir = await makeTempDir();
    for (const baseUrl of [
      'file:///etc/',
      'javascript:alert(1)//',
      'ftp://example.org/',
      'not a url',
      'https://a.example/?x=',
    ]) {
      const { importModel, calls } = recordingImporter();
      await expect(
        downloadPack(ML5_CLASSICS, { libraryDir: dir, cacheDir: dir, baseUrl, importModel, validate }),
      ).rejects.toSatisfy((e) => e instanceof StylePackError && e.code === 'bad-base-url');
      expect(calls).toEqual([]);
    }
  });
});

describe.skipIf(!haveModels)('downloadPack from a local HTTP server', () => {
  it('downloads all six into the library, then a second run skips them without a request', async () => {
    const served = await server();
    const opts = await options(served, copyIntoLibrary);

    const first = await downloadPack(ML5_CLASSICS, opts);
    expect(first.added.map((m) => m.id)).toEqual([
      'library:la_muse',
      'library:rain_princess',
      'library:the_scream',
      'library:udnie',
      'library:the_great_wave',
      'library:the_shipwreck_of_the_minotaur',
    ]);
    expect(first.skipped).toEqual([]);
    expect(served.requests).toHaveLength(6 * 49);

    const udnie = path.join(opts.libraryDir, 'udnie');
    const entry = JSON.parse(await readFile(path.join(udnie, 'library-entry.json'), 'utf8'));
    expect(entry).toMatchObject({
      name: 'Udnie',
      format: 'ml5',
      source: 'pack:ml5-classics',
      licence: ML5_CLASSICS.licence,
      origin: `${served.url}udnie/`,
    });
    expect(await sha256(path.join(udnie, 'Variable_12'))).toBe(await sharedSha('udnie', 'Variable_12'));
    // The library has its copies; the download cache keeps nothing.
    expect(existsSync(path.join(opts.cacheDir, 'downloads', 'ml5-classics'))).toBe(false);

    const second = await downloadPack(ML5_CLASSICS, opts);
    expect(second.added).toEqual([]);
    expect(second.skipped.map((m) => m.folder)).toEqual(ML5_CLASSICS.models.map((m) => m.folder));
    expect(served.requests).toHaveLength(6 * 49);
    expect((await readdir(opts.libraryDir)).sort()).toHaveLength(6);
  });

  it('hands the importer the verified folder with the pack tag, licence, name and origin', async () => {
    const served = await server();
    const { importModel, calls } = recordingImporter();
    const opts = await options(served, importModel);
    const result = await downloadPack(packOf('udnie'), opts);

    expect(result.added).toEqual([{ folder: 'udnie', name: 'Udnie', id: 'library:Udnie' }]);
    expect(calls).toHaveLength(1);
    const [{ request, files }] = calls as [(typeof calls)[0]];
    expect(request).toMatchObject({
      libraryDir: opts.libraryDir,
      source: { kind: 'folder', path: path.join(opts.cacheDir, 'downloads', 'ml5-classics', 'udnie') },
      name: 'Udnie',
      sourceTag: 'pack:ml5-classics',
      licence: ML5_CLASSICS.licence,
      origin: `${served.url}udnie/`,
    });
    expect(request.validate).toBe(validate);
    // Exactly the pinned files, no `.part` left over, each with its pinned hash.
    expect(files).toEqual(Object.fromEntries(UDNIE.files.map((f) => [f.path, f.sha256])));
  });

  it('reports progress that never goes back and ends at the totals', async () => {
    const served = await server();
    const events: PackProgress[] = [];
    const pack = packOf('scream', 'wave');
    await downloadPack(
      pack,
      await options(served, recordingImporter().importModel, { onProgress: (p) => events.push(p) }),
    );

    const bytesTotal = pack.models.flatMap((m) => m.files).reduce((sum, f) => sum + f.size, 0);
    expectMonotonic(events);
    expect(events.every((e) => e.bytesTotal === bytesTotal && e.filesTotal === 98)).toBe(true);
    expect(events.at(-1)).toMatchObject({
      model: 'wave',
      file: 'Variable_47',
      bytesDone: bytesTotal,
      filesDone: 98,
    });
    // Every file is reported, within a transfer as well as at its end.
    expect(new Set(events.map((e) => `${e.model}/${e.file}`)).size).toBe(98);
    expect(events.length).toBeGreaterThan(98);
  });

  it('resumes a dropped transfer with Range and verifies the file', async () => {
    const drop = dropVariable12Halfway();
    const served = await server(drop.faults);
    const { importModel, calls } = recordingImporter();
    await downloadPack(packOf('udnie'), await options(served, importModel, { onProgress: drop.onProgress }));

    const forFile = served.requests.filter((r) => r.file === 'udnie/Variable_12');
    expect(forFile.map((r) => r.range)).toEqual([undefined, `bytes=${HALF}-`]);
    expect(calls[0]!.files.Variable_12).toBe(await sharedSha('udnie', 'Variable_12'));
  });

  it('resumes in the next run what an interrupted run left, with Range', async () => {
    const drop = dropVariable12Halfway();
    const served = await server(drop.faults);
    const { importModel, calls } = recordingImporter();
    const opts = await options(served, importModel, {
      transfer: { retries: 0 },
      onProgress: drop.onProgress,
    });

    await expect(downloadPack(packOf('udnie'), opts)).rejects.toSatisfy(
      (e) => e instanceof DownloadError && e.code === 'network' && /udnie\/Variable_12/.test(e.message),
    );
    expect(calls).toEqual([]);
    const part = path.join(opts.cacheDir, 'downloads', 'ml5-classics', 'udnie', 'Variable_12.part');
    expect((await stat(part)).size).toBe(HALF);

    await downloadPack(packOf('udnie'), opts);
    const forFile = served.requests.filter((r) => r.file === 'udnie/Variable_12');
    expect(forFile.map((r) => r.range)).toEqual([undefined, `bytes=${HALF}-`]);
    // Files finished in the first run are not fetched again.
    expect(served.requests.filter((r) => r.file === 'udnie/Variable')).toHaveLength(1);
    expect(calls[0]!.files.Variable_12).toBe(await sharedSha('udnie', 'Variable_12'));
  });

  it('starts a file over when the server ignores Range, and progress still never goes back', async () => {
    const drop = dropVariable12Halfway();
    const served = await server({ ...drop.faults, ignoreRange: true });
    const { importModel, calls } = recordingImporter();
    const events: PackProgress[] = [];
    const onProgress = (p: PackProgress): void => {
      events.push(p);
      drop.onProgress(p);
    };
    await downloadPack(packOf('udnie'), await options(served, importModel, { onProgress }));

    const forFile = served.requests.filter((r) => r.file === 'udnie/Variable_12');
    expect(forFile.map((r) => r.range)).toEqual([undefined, `bytes=${HALF}-`]);
    expect(calls[0]!.files.Variable_12).toBe(await sharedSha('udnie', 'Variable_12'));
    expectMonotonic(events);
    expect(events.at(-1)!.bytesDone).toBe(events.at(-1)!.bytesTotal);
  });

  it('refuses a tampered file: a clear error naming it and both hashes, the file deleted, no model added', async () => {
    const served = await server({ tamper: 'udnie/Variable_12' });
    const { importModel, calls } = recordingImporter();
    const opts = await options(served, importModel);
    const pinned = UDNIE.files[VARIABLE_12]!.sha256;

    const error: unknown = await downloadPack(packOf('udnie'), opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).code).toBe('hash-mismatch');
    expect((error as Error).message).toContain(
      `ml5-classics/udnie/Variable_12 from ${served.url}udnie/Variable_12`,
    );
    expect((error as Error).message).toContain(pinned);
    expect((error as Error).message).toMatch(/sha256 is [0-9a-f]{64}, but the pack pins/);
    expect(calls).toEqual([]);
    const modelDir = path.join(opts.cacheDir, 'downloads', 'ml5-classics', 'udnie');
    expect((await readdir(modelDir)).filter((f) => f.startsWith('Variable_12'))).toEqual([]);
    expect(existsSync(opts.libraryDir)).toBe(false);
  });

  it('fails on a 404 with the status and URL, without retrying, and adds nothing', async () => {
    const served = await server({ missing: 'udnie/Variable_3' });
    const { importModel, calls } = recordingImporter();
    await expect(downloadPack(packOf('udnie'), await options(served, importModel))).rejects.toSatisfy(
      (e) =>
        e instanceof DownloadError &&
        e.code === 'http-status' &&
        e.message.includes(`${served.url}udnie/Variable_3`) &&
        / 404 /.test(e.message),
    );
    expect(served.requests.filter((r) => r.file === 'udnie/Variable_3')).toHaveLength(1);
    expect(calls).toEqual([]);
  });

  it('stops when aborted, keeps the partial file, and the next run resumes it', async () => {
    const served = await server();
    const { importModel, calls } = recordingImporter();
    const controller = new AbortController();
    const opts = await options(served, importModel, {
      signal: controller.signal,
      // Abort inside the largest file, after its first chunk (before it is done).
      onProgress: (p) => {
        if (p.file === 'Variable_12' && p.filesDone === VARIABLE_12) controller.abort();
      },
    });

    await expect(downloadPack(packOf('udnie'), opts)).rejects.toSatisfy(
      (e) => e instanceof Error && e.name === 'AbortError',
    );
    expect(calls).toEqual([]);
    const part = path.join(opts.cacheDir, 'downloads', 'ml5-classics', 'udnie', 'Variable_12.part');
    const kept = (await stat(part)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(2 * HALF);

    await downloadPack(packOf('udnie'), {
      ...opts,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(served.requests.filter((r) => r.file === 'udnie/Variable_12').at(-1)!.range).toBe(
      `bytes=${kept}-`,
    );
    expect(calls[0]!.files.Variable_12).toBe(await sharedSha('udnie', 'Variable_12'));
  });

  it('skips models the library has from this pack, not same-named ones from elsewhere', async () => {
    const served = await server();
    const { importModel, calls } = recordingImporter();
    const opts = await options(served, importModel);
    const entry = (source: string, origin: string) =>
      JSON.stringify({
        version: 1,
        name: 'x',
        format: 'ml5',
        source,
        addedAt: '2026-01-01T00:00:00Z',
        origin,
      });
    // Udnie from this pack (under a name the person chose), Wave imported by hand, a broken entry.
    for (const [slug, text] of [
      ['my-udnie', entry('pack:ml5-classics', 'https://mirror.example/any/path/udnie/')],
      ['wave', entry('imported', 'wave.zip')],
      ['broken', '{'],
    ] as const) {
      await mkdir(path.join(opts.libraryDir, slug), { recursive: true });
      await writeFile(path.join(opts.libraryDir, slug, 'library-entry.json'), text);
    }

    const plan = await planPackDownload(packOf('udnie', 'wave'), opts);
    expect(plan.toDownload.map((m) => m.folder)).toEqual(['wave']);
    expect(plan.alreadyInLibrary.map((m) => m.folder)).toEqual(['udnie']);
    expect(plan.filesTotal).toBe(49);

    const result = await downloadPack(packOf('udnie', 'wave'), opts);
    expect(result.skipped).toEqual([{ folder: 'udnie', name: 'Udnie' }]);
    expect(result.added.map((m) => m.folder)).toEqual(['wave']);
    expect(served.requests.some((r) => r.file.startsWith('udnie/'))).toBe(false);
    expect(calls.map((c) => c.request.name)).toEqual(['The Great Wave']);
  });
});

function expectMonotonic(events: readonly PackProgress[]): void {
  expect(events.length).toBeGreaterThan(0);
  for (let k = 1; k < events.length; k++) {
    expect(events[k]!.bytesDone).toBeGreaterThanOrEqual(events[k - 1]!.bytesDone);
    expect(events[k]!.filesDone).toBeGreaterThanOrEqual(events[k - 1]!.filesDone);
  }
}
