/**
 * The library channels of the control contract (import, rename, remove, packs) over the real library,
 * the real importer and the engine's real reader; the engine itself is not needed (imports validate
 * with the reader, not by loading).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { describe, expect, it } from 'vitest';
import { dispatchControl, type ModelInfo, type Result } from '../../common/contract.js';
import type { EngineCaller } from '../../common/engine-protocol.js';
import { createControlHandlers, type MirrorServiceDeps } from '../../main/core/mirror-service.js';
import { ModelLibrary } from '../../main/core/model-library.js';
import { PackDownloads } from '../../main/core/pack-downloads.js';
import { JsonFileSettingsStore } from '../../main/core/settings/settings-file-store.js';
import { SnapshotFolder } from '../../main/core/snapshots.js';
import { makeTempDir } from '../support/model-fixtures.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const UDNIE = path.resolve(REPO_ROOT, '../shared/models/ml5/udnie');

const noEngine: EngineCaller = {
  call: async (method) => {
    throw new Error(`no engine in this test (${method})`);
  },
};

async function service(extra: Partial<MirrorServiceDeps> = {}) {
  const tmp = await makeTempDir();
  const libraryDir = path.join(tmp, 'library');
  const settings = new JsonFileSettingsStore(path.join(tmp, 'settings.json'));
  const library = new ModelLibrary({
    bundledDir: path.join(REPO_ROOT, 'models'),
    libraryDir,
    userDir: () => null,
  });
  const handlers = createControlHandlers({
    engine: noEngine,
    library,
    settings,
    snapshots: new SnapshotFolder(() => path.join(tmp, 'shots')),
    packs: new PackDownloads({ libraryDir, cacheDir: path.join(tmp, 'cache') }),
    ...extra,
  });
  const call = (channel: string, payload: unknown = {}) => dispatchControl(handlers, channel, payload);
  return { call, libraryDir };
}

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** A model folder as a page uploads it: a dropped folder's files with their relative paths. */
async function upload(dir: string, as: string) {
  return Promise.all(
    (await readdir(dir)).map(async (name) => ({
      path: `${as}/${name}`,
      bytes: new Uint8Array(await readFile(path.join(dir, name))),
    })),
  );
}

async function zipOf(dir: string, as: string): Promise<Uint8Array> {
  const zip = new yazl.ZipFile();
  for (const name of await readdir(dir)) zip.addFile(path.join(dir, name), `${as}/${name}`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

describe.skipIf(!existsSync(UDNIE))('library channels', () => {
  it('imports a dropped folder, lists it editable, renames it and deletes it', async () => {
    const { call, libraryDir } = await service();
    const added = value<ModelInfo>(await call('models:import', { files: await upload(UDNIE, 'udnie') }));
    expect(added).toMatchObject({
      id: 'library:udnie',
      name: 'Udnie',
      source: 'library',
      format: 'ml5',
      editable: true,
    });
    expect(value<ModelInfo[]>(await call('models:list')).map((m) => m.id)).toContain('library:udnie');

    expect(
      value<ModelInfo>(await call('models:rename', { id: 'library:udnie', name: 'My Udnie' })),
    ).toMatchObject({
      id: 'library:udnie',
      name: 'My Udnie',
    });
    expect(value(await call('models:remove', { id: 'library:udnie' }))).toEqual({});
    expect(await readdir(libraryDir)).toEqual([]);
  });

  it('imports an uploaded zip under the name given', async () => {
    const { call } = await service();
    const files = [{ path: 'udnie.zip', bytes: await zipOf(UDNIE, 'udnie') }];
    expect(value<ModelInfo>(await call('models:import', { files, name: 'Zipped' }))).toMatchObject({
      id: 'library:zipped',
      name: 'Zipped',
    });
  });

  it("refuses a broken upload with the reader's reason and leaves the library as it was", async () => {
    const { call, libraryDir } = await service();
    const files = (await upload(UDNIE, 'udnie')).filter((f) => !f.path.endsWith('/Variable_7'));
    const result = await call('models:import', { files });
    expect(result).toMatchObject({
      ok: false,
      error: { code: expect.any(String), message: expect.stringMatching(/Variable_7/) },
    });
    await mkdir(libraryDir, { recursive: true });
    expect(await readdir(libraryDir)).toEqual([]);
  });

  it('never renames or deletes a bundled style', async () => {
    const { call } = await service();
    expect(await call('models:remove', { id: 'bundled:matta' })).toMatchObject({
      ok: false,
      error: { code: 'model-read-only' },
    });
    expect(await call('models:rename', { id: 'bundled:matta', name: 'X' })).toMatchObject({
      ok: false,
      error: { code: 'model-read-only' },
    });
  });

  it('refuses every library change where they are not allowed (browser mode without --allow-imports)', async () => {
    const { call } = await service({ libraryChanges: false });
    const files = await upload(UDNIE, 'udnie');
    for (const [channel, payload] of [
      ['models:import', { files }],
      ['models:rename', { id: 'library:x', name: 'y' }],
      ['models:remove', { id: 'library:x' }],
      ['packs:download', { id: 'ml5-classics' }],
      ['models:import-dialog', {}],
    ] as const) {
      expect(await call(channel, payload), channel).toMatchObject({
        ok: false,
        error: { code: 'library-read-only', message: expect.stringMatching(/--allow-imports/) },
      });
    }
  });

  it('lists the packs with their licence and what the library has of each', async () => {
    const { call } = await service();
    const [classics] = value<{ id: string; licence: { name: string }; models: number; inLibrary: number }[]>(
      await call('packs:list'),
    );
    expect(classics).toMatchObject({ id: 'ml5-classics', models: 6, inLibrary: 0 });
    expect(classics!.licence.name).toMatch(/research use only/i);
  });

  it('without a dialog (browser mode), says how to add a style instead', async () => {
    const { call } = await service();
    expect(await call('models:import-dialog')).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/dropping its folder or \.zip/) },
    });
  });
});
