import { describe, expect, it, vi } from 'vitest';
import type { MirrorEngineStatus, Result } from '../../common/contract.js';
import { applySettingsPatch } from '../../common/settings-patch.js';
import type { Settings, SettingsPatch } from '../../common/settings-schema.js';
import { MirrorController } from '../../renderer/src/app/mirror-controller.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { selectPrecisionLabel } from '../../renderer/src/store/selectors.js';
import { deferred, engineStatus, fail, fakeApi, flush, ManualTimers, model, ok, SETTINGS } from './fakes.js';

const MODELS = [model('la_muse'), model('udnie'), model('wave')];

function controllerWith(overrides: Parameters<typeof fakeApi>[0], clock = { now: 0 }) {
  const store = createMirrorStore();
  const timers = new ManualTimers();
  const api = fakeApi({
    getSettings: async () => ok(SETTINGS),
    settingsWarnings: async () => ok([]),
    listModels: async () => ok(MODELS),
    engineStatus: async () => ok(null),
    selectModel: vi.fn(async ({ id }: { id: string }) => ok(engineStatus(id))),
    ...overrides,
  });
  return { store, timers, api, controller: new MirrorController(api, store, timers, () => clock.now) };
}

describe('MirrorController.start', () => {
  it('loads the settings and the library, then the style used last', async () => {
    const { store, api, controller } = controllerWith({
      getSettings: async () => ok({ ...SETTINGS, lastModelId: 'bundled:udnie' }),
    });
    await controller.start();
    expect(store.getState().models).toEqual(MODELS);
    expect(api.selectModel).toHaveBeenCalledWith({ id: 'bundled:udnie' });
    expect(store.getState().currentModelId).toBe('bundled:udnie');
  });

  it('shows what went wrong with the settings file, as warnings that stay a while', async () => {
    const warning =
      'Style Mirror cannot save its settings in /home/ada/.config (EROFS: read-only file system).';
    const { store, timers, controller } = controllerWith({ settingsWarnings: async () => ok([warning]) });
    await controller.start();
    expect(store.getState().toasts.map((t) => [t.kind, t.text])).toEqual([['warning', warning]]);
    timers.advance(29_000);
    expect(store.getState().toasts).toHaveLength(1);
    timers.advance(1_000);
    expect(store.getState().toasts).toHaveLength(0);
  });

  it('starts with the first style when the last one is gone from the library', async () => {
    const { api, controller } = controllerWith({
      getSettings: async () => ok({ ...SETTINGS, lastModelId: 'user:deleted' }),
    });
    await controller.start();
    expect(api.selectModel).toHaveBeenCalledWith({ id: 'bundled:la_muse' });
  });

  it('tries the next style when the first cannot load (nothing to keep at start)', async () => {
    const { store, controller } = controllerWith({
      selectModel: async ({ id }: { id: string }): Promise<Result<MirrorEngineStatus>> =>
        id === 'bundled:la_muse' ? fail('weights are truncated') : ok(engineStatus(id)),
    });
    await controller.start();
    expect(store.getState().currentModelId).toBe('bundled:udnie');
    expect(store.getState().toasts[0]?.text).toContain('weights are truncated');
  });

  it('selects nothing with an empty library (the page then shows how to add a style)', async () => {
    const { store, api, controller } = controllerWith({ listModels: async () => ok([]) });
    await controller.start();
    expect(store.getState().models).toEqual([]);
    expect(api.selectModel).not.toHaveBeenCalled();
  });

  it('adopts the model the engine already runs instead of loading it again', async () => {
    const { store, api, controller } = controllerWith({
      engineStatus: async () => ok(engineStatus('bundled:la_muse')),
    });
    await controller.start();
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    expect(api.selectModel).not.toHaveBeenCalled();
  });

  it('keeps trying while the app does not answer, saying why, and starts once it does', async () => {
    let answers = 0;
    const { store, timers, controller } = controllerWith({
      getSettings: async (): Promise<Result<Settings>> =>
        ++answers < 3 ? fail('Not connected to Style Mirror') : ok(SETTINGS),
    });
    const started = controller.start();
    await flush();
    expect(store.getState().startupProblem).toBe(
      'Reading the settings failed: Not connected to Style Mirror',
    );
    timers.advance(500);
    await flush();
    timers.advance(1000);
    await started;
    expect(answers).toBe(3);
    expect(store.getState().startupProblem).toBeNull();
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
  });
});

describe('MirrorController', () => {
  it('loads the current model again, quietly, when the engine comes back without it', async () => {
    let running: string | null = null;
    const clock = { now: 10_000 };
    const { store, api, controller } = controllerWith(
      {
        engineStatus: async () => ok(running === null ? null : engineStatus(running)),
        selectModel: vi.fn(async ({ id }: { id: string }) => {
          running = id;
          return ok(engineStatus(id));
        }),
      },
      clock,
    );
    await controller.start();
    expect(api.selectModel).toHaveBeenCalledTimes(1);
    store.getState().setModelToast(null);

    running = null; // the engine restarted
    await controller.engineTrouble();
    expect(api.selectModel).toHaveBeenCalledTimes(2);
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    expect(store.getState().modelToast).toBeNull();

    // At most one check every couple of seconds, however many frames fail.
    running = null;
    await controller.engineTrouble();
    expect(api.selectModel).toHaveBeenCalledTimes(2);
    clock.now += 2000;
    await controller.engineTrouble();
    expect(api.selectModel).toHaveBeenCalledTimes(3);
  });

  it('saves a new precision, then loads the running style again and shows what ran', async () => {
    const log: string[] = [];
    let saved = SETTINGS;
    const saves: ReturnType<typeof deferred<undefined>>[] = [];
    const { store, controller } = controllerWith({
      updateSettings: vi.fn(async (patch: SettingsPatch) => {
        const done = deferred<undefined>();
        saves.push(done);
        await done.promise;
        saved = applySettingsPatch(saved, patch);
        log.push(`saved ${JSON.stringify(patch)}`);
        return ok(saved);
      }),
      // As the service does: the engine loads with the precision saved at that moment.
      selectModel: vi.fn(async ({ id }: { id: string }) => {
        log.push(`loaded ${id} ${saved.precision}`);
        const precision: 'int8' | 'fp32' = saved.precision === 'int8' ? 'int8' : 'fp32';
        const status = engineStatus(id);
        return ok({ ...status, backend: { ...status.backend, precision, precisionReason: 'as asked' } });
      }),
    });
    await controller.start();
    store.getState().setModelToast(null);

    // A slider's save is on its way when the precision changes: the reload waits for both saves.
    const strength = controller.changeSettings({ strength: 0.3 });
    const precision = controller.changeSettings({ precision: 'int8' });
    saves[0]!.resolve(undefined);
    await flush();
    expect(log).toEqual(['loaded bundled:la_muse auto', 'saved {"strength":0.3}']);
    saves[1]!.resolve(undefined);
    await Promise.all([strength, precision]);
    expect(log).toEqual([
      'loaded bundled:la_muse auto',
      'saved {"strength":0.3}',
      'saved {"precision":"int8"}',
      'loaded bundled:la_muse int8',
    ]);
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    expect(selectPrecisionLabel(store.getState())).toBe('int8 · as asked');
    expect(store.getState().modelToast).toBeNull(); // quietly: the style did not change

    // Other settings do not touch the engine.
    const mirror = controller.changeSettings({ mirror: false });
    saves[2]!.resolve(undefined);
    await mirror;
    expect(log.at(-1)).toBe('saved {"mirror":false}');
  });

  it('says where a snapshot was saved, or why it was not', async () => {
    const { store, controller } = controllerWith({
      saveSnapshot: vi
        .fn()
        .mockResolvedValueOnce(ok({ path: '/home/ada/Pictures/Style Mirror/mirror-1.png' }))
        .mockResolvedValueOnce(fail('the folder is read-only')),
    });
    await controller.saveSnapshot(new Uint8Array([1]));
    await controller.saveSnapshot(new Uint8Array([1]));
    expect(store.getState().toasts.map((t) => [t.kind, t.text])).toEqual([
      ['snapshot', 'Snapshot saved: /home/ada/Pictures/Style Mirror/mirror-1.png'],
      ['error', 'Could not save the snapshot: the folder is read-only'],
    ]);
  });

  it('tells a browser where snapshots are, since it cannot open the folder', async () => {
    const { store, controller } = controllerWith({
      openSnapshotFolder: async () => ok({ path: '/srv/snaps' }),
    });
    await controller.openSnapshotFolder();
    expect(store.getState().toasts[0]?.text).toBe('Snapshots are saved in /srv/snaps');
  });

  it('takes a folder the person chose in the app, lists its styles, and says where', async () => {
    const chosen = { ...SETTINGS, modelsDir: '/home/ada/styles' };
    const mine = [model('mine')];
    let listed = MODELS;
    const { store, controller } = controllerWith({
      chooseModelsFolder: vi.fn().mockResolvedValueOnce(ok(null)).mockResolvedValueOnce(ok(chosen)),
      listModels: async () => ok(listed),
    });
    await controller.start();
    await controller.chooseFolder('models');
    expect(store.getState().settings?.modelsDir).toBeNull();
    expect(store.getState().toasts).toEqual([]);

    listed = mine;
    await controller.chooseFolder('models');
    expect(store.getState().settings?.modelsDir).toBe('/home/ada/styles');
    expect(store.getState().models).toEqual(mine);
    expect(store.getState().toasts.map((t) => [t.kind, t.text])).toEqual([
      ['info', 'Styles from /home/ada/styles'],
    ]);
  });

  it('says why a folder cannot be chosen (browser mode)', async () => {
    const { store, controller } = controllerWith({
      chooseSnapshotsFolder: async () =>
        fail('In browser mode the snapshots folder is chosen by whoever started `stylemirror serve`.'),
    });
    await controller.chooseFolder('snapshots');
    expect(store.getState().toasts.map((t) => t.text)).toEqual([
      'Could not choose the snapshots folder: In browser mode the snapshots folder is chosen by whoever started `stylemirror serve`.',
    ]);
  });
});
