import { describe, expect, it, vi } from 'vitest';
import type { ModelInfo, PackInfo, PackStatus } from '../../common/contract.js';
import { MirrorController } from '../../renderer/src/app/mirror-controller.js';
import { importName, PACK_POLL_MS } from '../../renderer/src/app/style-library.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { deferred, engineStatus, fail, fakeApi, flush, ManualTimers, model, ok, SETTINGS } from './fakes.js';

function libraryModel(folder: string, name: string): ModelInfo {
  return { ...model(folder), id: `library:${folder}`, name, source: 'library', editable: true };
}

const BUNDLED = [model('la_muse'), model('wave')];
const UDNIE = libraryModel('udnie', 'Udnie');
const FILES = [
  { path: 'udnie/manifest.json', bytes: new Uint8Array([123, 125]) },
  { path: 'udnie/Variable', bytes: new Uint8Array(8) },
];

/** A started mirror showing la_muse, with a library the test's fake API changes as it is asked. */
async function started(overrides: Parameters<typeof fakeApi>[0] = {}, initial: ModelInfo[] = BUNDLED) {
  const store = createMirrorStore();
  const timers = new ManualTimers();
  const library = { models: [...initial] };
  const api = fakeApi({
    getSettings: async () => ok(SETTINGS),
    settingsWarnings: async () => ok([]),
    listModels: vi.fn(async () => ok([...library.models])),
    engineStatus: async () => ok(null),
    selectModel: vi.fn(async ({ id }: { id: string }) => ok(engineStatus(id))),
    ...overrides,
  });
  const controller = new MirrorController(api, store, timers);
  await controller.start();
  return { store, timers, api, library, controller };
}

function texts(store: ReturnType<typeof createMirrorStore>, kind: string): string[] {
  return store
    .getState()
    .toasts.filter((t) => t.kind === kind)
    .map((t) => t.text);
}

describe('importName', () => {
  it('names an upload by its zip or its shared folder', () => {
    expect(importName([{ path: 'Rain_Princess.ZIP' }])).toBe('Rain_Princess');
    expect(importName([{ path: 'stuff/rain.zip' }])).toBe('rain');
    expect(importName(FILES)).toBe('udnie');
    expect(importName([{ path: 'manifest.json' }, { path: 'Variable' }])).toBeNull();
    expect(importName([{ path: 'a/manifest.json' }, { path: 'b/Variable' }])).toBeNull();
    expect(importName([])).toBeNull();
  });
});

describe('StyleLibrary.importFiles', () => {
  it('shows the import while it runs, then lists the new style and switches to it', async () => {
    const answer = deferred<ReturnType<typeof ok<ModelInfo>>>();
    const ctx = await started({ importModel: vi.fn(() => answer.promise) });
    const { store, api, library, controller } = ctx;
    expect(store.getState().currentModelId).toBe('bundled:la_muse');

    const done = controller.library.importFiles(FILES);
    await flush();
    expect(store.getState().importing).toEqual({ name: 'udnie' });
    expect(api.importModel).toHaveBeenCalledWith({ files: FILES });
    expect(store.getState().currentModelId).toBe('bundled:la_muse');

    library.models.push(UDNIE);
    answer.resolve(ok(UDNIE));
    await done;
    expect(store.getState().importing).toBeNull();
    expect(store.getState().models?.map((m) => m.id)).toContain('library:udnie');
    expect(api.selectModel).toHaveBeenLastCalledWith({ id: 'library:udnie' });
    expect(store.getState().currentModelId).toBe('library:udnie');
    expect(texts(store, 'error')).toEqual([]);
  });

  it('says what the app found wrong, and keeps the running style', async () => {
    const message = 'udnie/manifest.json: not JSON (Unexpected token < at position 0).';
    const { store, api, controller } = await started({
      importModel: async () => fail(message, 'manifest-invalid'),
    });
    await controller.library.importFiles(FILES);
    expect(texts(store, 'error')).toEqual([`Could not add "udnie": ${message}`]);
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    expect(store.getState().importing).toBeNull();
    expect(api.selectModel).toHaveBeenCalledTimes(1);
  });

  it('adds one style at a time', async () => {
    const answer = deferred<ReturnType<typeof ok<ModelInfo>>>();
    const { store, api, library, controller } = await started({ importModel: vi.fn(() => answer.promise) });
    const first = controller.library.importFiles(FILES);
    await controller.library.importFiles([{ path: 'wave.zip', bytes: new Uint8Array(4) }]);
    expect(api.importModel).toHaveBeenCalledTimes(1);
    expect(texts(store, 'info')).toContain('Still adding udnie: one style at a time.');
    library.models.push(UDNIE);
    answer.resolve(ok(UDNIE));
    await first;
  });

  it('refuses an empty upload without asking the app', async () => {
    const { store, api, controller } = await started({ importModel: vi.fn() });
    await controller.library.importFiles([]);
    expect(api.importModel).not.toHaveBeenCalled();
    expect(texts(store, 'error')[0]).toMatch(/Nothing to add/);
  });

  it('shows the new style even when listing the library fails afterwards', async () => {
    let listed = 0;
    const { store, controller } = await started({
      listModels: async () => (++listed === 1 ? ok(BUNDLED) : fail('the server is restarting')),
      importModel: async () => ok(UDNIE),
    });
    await controller.library.importFiles(FILES);
    expect(store.getState().models?.map((m) => m.id)).toEqual([
      'bundled:la_muse',
      'bundled:wave',
      'library:udnie',
    ]);
    expect(store.getState().currentModelId).toBe('library:udnie');
  });
});

describe('StyleLibrary.importFromDialog', () => {
  it('does nothing when the person closes the dialog', async () => {
    const { store, api, controller } = await started({ importModelFromDialog: async () => ok(null) });
    await controller.library.importFromDialog();
    expect(store.getState().importing).toBeNull();
    expect(store.getState().toasts).toEqual([]);
    expect(api.selectModel).toHaveBeenCalledTimes(1);
  });

  it('says why the app cannot open a dialog (browser mode)', async () => {
    const { store, controller } = await started({
      importModelFromDialog: async () => fail('There is no system dialog in browser mode.', 'forbidden'),
    });
    await controller.library.importFromDialog();
    expect(texts(store, 'error')).toEqual([
      'Could not add the style: There is no system dialog in browser mode.',
    ]);
  });
});

describe('StyleLibrary.rename and remove', () => {
  it('renames a library style and lists it again', async () => {
    const { store, api, library, controller } = await started(
      {
        renameModel: vi.fn(async ({ id, name }: { id: string; name: string }) => {
          library.models = library.models.map((m) => (m.id === id ? { ...m, name } : m));
          return ok({ ...UDNIE, name });
        }),
      },
      [...BUNDLED, UDNIE],
    );
    expect(await controller.library.rename(UDNIE, '  Composition VI  ')).toBe(true);
    expect(api.renameModel).toHaveBeenCalledWith({ id: 'library:udnie', name: 'Composition VI' });
    expect(store.getState().models?.find((m) => m.id === 'library:udnie')?.name).toBe('Composition VI');
  });

  it('asks nothing for an unchanged or empty name, and says why a rename failed', async () => {
    const { store, api, controller } = await started(
      { renameModel: vi.fn(async () => fail<ModelInfo>('Cannot rename "Udnie": a name has no slashes.')) },
      [...BUNDLED, UDNIE],
    );
    expect(await controller.library.rename(UDNIE, 'Udnie')).toBe(true);
    expect(await controller.library.rename(UDNIE, '   ')).toBe(false);
    expect(api.renameModel).not.toHaveBeenCalled();
    expect(await controller.library.rename(UDNIE, 'a/b')).toBe(false);
    expect(texts(store, 'error')).toEqual([
      'Could not rename "Udnie": Cannot rename "Udnie": a name has no slashes.',
    ]);
  });

  it('deletes a style that is not showing without touching the running one', async () => {
    const { store, api, library, controller } = await started(
      {
        removeModel: vi.fn(async ({ id }: { id: string }) => {
          library.models = library.models.filter((m) => m.id !== id);
          return ok({});
        }),
      },
      [...BUNDLED, UDNIE],
    );
    await controller.library.remove(UDNIE);
    expect(store.getState().models?.map((m) => m.id)).toEqual(['bundled:la_muse', 'bundled:wave']);
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    expect(api.selectModel).toHaveBeenCalledTimes(1);
    expect(texts(store, 'info')).toEqual(['Deleted "Udnie".']);
  });

  it('moves on to the first style left when the showing one is deleted', async () => {
    const { store, library, controller } = await started(
      {
        removeModel: async ({ id }: { id: string }) => {
          library.models = library.models.filter((m) => m.id !== id);
          return ok({});
        },
      },
      [UDNIE, ...BUNDLED],
    );
    expect(store.getState().currentModelId).toBe('library:udnie');
    await controller.library.remove(UDNIE);
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
  });

  it('shows the camera unpainted when the last style is deleted', async () => {
    const { store, library, controller } = await started(
      {
        removeModel: async () => {
          library.models = [];
          return ok({});
        },
      },
      [UDNIE],
    );
    await controller.library.remove(UDNIE);
    expect(store.getState().models).toEqual([]);
    expect(store.getState().currentModelId).toBeNull();
    expect(store.getState().engine).toBeNull();
  });

  it('keeps a style the app refused to delete', async () => {
    const { store, controller } = await started({
      removeModel: async () => fail('"La muse" is bundled with Style Mirror.', 'model-read-only'),
    });
    await controller.library.remove(BUNDLED[0]!);
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    expect(texts(store, 'error')).toEqual([
      'Could not delete "La_muse": "La muse" is bundled with Style Mirror.',
    ]);
  });
});

const PACK: PackInfo = {
  id: 'ml5-classics',
  name: 'ml5 classics',
  description: 'Seven paintings.',
  licence: { name: 'Research use only', notice: 'Trained on paintings under copyright.' },
  models: 2,
  inLibrary: 0,
  bytesToDownload: 13_000_000,
};

function status(state: PackStatus['state'], extra: Partial<PackStatus> = {}): PackStatus {
  return { state, packId: PACK.id, bytesDone: 0, bytesTotal: 13_000_000, added: [], ...extra };
}

/** Lets several poll periods pass and checks nobody asked for the download's status meanwhile. */
async function expectNoMorePolls(timers: ManualTimers, api: ReturnType<typeof fakeApi>): Promise<void> {
  const asked = (api.packStatus as ReturnType<typeof vi.fn>).mock.calls.length;
  timers.advance(PACK_POLL_MS * 5);
  await flush();
  expect((api.packStatus as ReturnType<typeof vi.fn>).mock.calls.length).toBe(asked);
}

describe('StyleLibrary packs', () => {
  it('lists the packs, polls a download about three times a second, then lists what it added', async () => {
    const statuses = [
      status('downloading', { bytesDone: 1_000_000, model: 'udnie' }),
      status('downloading', { bytesDone: 9_000_000, model: 'wave' }),
      status('done', { bytesDone: 13_000_000, added: ['library:udnie'] }),
    ];
    const ctx = await started({
      listPacks: vi.fn(async () => ok([PACK])),
      packStatus: vi.fn(async () => ok(status('idle'))),
      downloadPack: vi.fn(async () => ok(status('downloading'))),
    });
    const { store, api, timers, library, controller } = ctx;
    await controller.library.openPacks();
    expect(store.getState().packsOpen).toBe(true);
    expect(store.getState().packs).toEqual([PACK]);

    // The panel saw the status before the download: no polling yet.
    await expectNoMorePolls(timers, api);
    (api.packStatus as ReturnType<typeof vi.fn>).mockImplementation(async () => ok(statuses.shift()!));
    await controller.library.downloadPack(PACK.id);
    expect(api.downloadPack).toHaveBeenCalledWith({ id: PACK.id });
    expect(store.getState().packStatus?.state).toBe('downloading');

    timers.advance(PACK_POLL_MS - 1);
    await flush();
    expect(store.getState().packStatus?.bytesDone).toBe(0);
    timers.advance(1);
    await flush();
    expect(store.getState().packStatus).toMatchObject({ bytesDone: 1_000_000, model: 'udnie' });
    timers.advance(PACK_POLL_MS);
    await flush();
    expect(store.getState().packStatus).toMatchObject({ bytesDone: 9_000_000, model: 'wave' });

    library.models.push(UDNIE);
    timers.advance(PACK_POLL_MS);
    await flush();
    await flush();
    expect(store.getState().packStatus?.state).toBe('done');
    await expectNoMorePolls(timers, api);
    expect(store.getState().models?.map((m) => m.id)).toContain('library:udnie');
    expect(texts(store, 'info')).toEqual(['Added 1 style from ml5 classics: Udnie.']);
  });

  it('follows a download that was already running when the panel opened, and reports its failure', async () => {
    const { store, api, timers, controller } = await started({
      listPacks: async () => ok([PACK]),
      packStatus: vi
        .fn()
        .mockResolvedValueOnce(ok(status('downloading', { bytesDone: 5 })))
        .mockResolvedValue(
          ok(
            status('failed', {
              error: { code: 'checksum', message: 'udnie/Variable_3 does not match its checksum.' },
            }),
          ),
        ),
    });
    await controller.library.openPacks();
    expect(store.getState().packStatus?.state).toBe('downloading');
    timers.advance(PACK_POLL_MS);
    await flush();
    expect(store.getState().packStatus?.state).toBe('failed');
    expect(texts(store, 'error')).toEqual([
      'Downloading ml5 classics failed: udnie/Variable_3 does not match its checksum.',
    ]);
    await expectNoMorePolls(timers, api);
  });

  it('says why a download could not start (browser mode without --allow-imports)', async () => {
    const message =
      'In browser mode the style library is changed only when `stylemirror serve` was started with --allow-imports.';
    const { store, api, timers, controller } = await started({
      downloadPack: async () => fail(message, 'library-read-only'),
      packStatus: vi.fn(async () => ok(status('idle'))),
    });
    await controller.library.downloadPack(PACK.id);
    expect(texts(store, 'error')).toEqual([`Could not download the styles: ${message}`]);
    await expectNoMorePolls(timers, api);
  });
});
