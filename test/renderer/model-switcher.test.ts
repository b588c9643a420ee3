import { describe, expect, it, vi } from 'vitest';
import type { MirrorEngineStatus, Result } from '../../common/contract.js';
import { ModelSwitcher } from '../../renderer/src/app/model-switcher.js';
import { Notifier } from '../../renderer/src/app/notifier.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { deferred, engineStatus, fail, flush, ManualTimers, model, ok, SETTINGS } from './fakes.js';

const MODELS = [model('la_muse'), model('udnie'), model('wave')];

function setup(selectModel: (id: string) => Promise<Result<MirrorEngineStatus>>) {
  const store = createMirrorStore();
  store.getState().setModels(MODELS);
  store.getState().setSettings(SETTINGS);
  const timers = new ManualTimers();
  const api = { selectModel: vi.fn(({ id }: { id: string }) => selectModel(id)) };
  return { store, timers, api, switcher: new ModelSwitcher(api, store, new Notifier(store, timers)) };
}

describe('ModelSwitcher', () => {
  it('loads a style, makes it current, remembers it and shows its name for a moment', async () => {
    const { store, timers, switcher } = setup(async (id) => ok(engineStatus(id)));
    await switcher.select('bundled:udnie');
    const state = store.getState();
    expect(state.currentModelId).toBe('bundled:udnie');
    expect(state.engine?.modelId).toBe('bundled:udnie');
    expect(state.settings?.lastModelId).toBe('bundled:udnie');
    expect(state.pendingModelId).toBeNull();
    expect(state.modelToast).toEqual({ modelId: 'bundled:udnie', name: 'Udnie', loading: false });
    timers.advance(1500);
    expect(store.getState().modelToast).toBeNull();
  });

  it('loads only the latest style asked for while one is loading', async () => {
    const loads: { id: string; done: ReturnType<typeof deferred<Result<MirrorEngineStatus>>> }[] = [];
    const { store, api, switcher } = setup((id) => {
      const done = deferred<Result<MirrorEngineStatus>>();
      loads.push({ id, done });
      return done.promise;
    });
    const all = Promise.all([
      switcher.select('bundled:la_muse'),
      switcher.select('bundled:udnie'),
      switcher.select('bundled:wave'),
    ]);
    expect(store.getState().pendingModelId).toBe('bundled:wave');
    loads[0]!.done.resolve(ok(engineStatus('bundled:la_muse')));
    await flush();
    loads[1]!.done.resolve(ok(engineStatus('bundled:wave')));
    await all;
    expect(api.selectModel.mock.calls.map(([request]) => request.id)).toEqual([
      'bundled:la_muse',
      'bundled:wave',
    ]);
    expect(store.getState().currentModelId).toBe('bundled:wave');
  });

  it('keeps the running style when another fails to load, and says which failed and which stays', async () => {
    const { store, switcher } = setup(async (id) =>
      id === 'bundled:wave' ? fail('manifest.json is missing', 'manifest-missing') : ok(engineStatus(id)),
    );
    await switcher.select('bundled:udnie');
    await switcher.select('bundled:wave');
    const state = store.getState();
    expect(state.currentModelId).toBe('bundled:udnie');
    expect(state.toasts.map((t) => [t.kind, t.text])).toEqual([
      ['error', 'Could not load the style "Wave": manifest.json is missing. Still showing "Udnie".'],
    ]);
    expect(state.modelToast?.modelId).not.toBe('bundled:wave');
  });

  it('steps through the library both ways, wrapping around, from the style last asked for', async () => {
    const { store, api, switcher } = setup(async (id) => ok(engineStatus(id)));
    await switcher.step(1); // nothing current yet: the first
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    await switcher.step(-1);
    expect(store.getState().currentModelId).toBe('bundled:wave');
    await switcher.step(1);
    expect(store.getState().currentModelId).toBe('bundled:la_muse');
    expect(api.selectModel).toHaveBeenCalledTimes(3);
  });

  it('picks a style by its number and ignores numbers beyond the library', async () => {
    const { store, api, switcher } = setup(async (id) => ok(engineStatus(id)));
    await switcher.pick(2);
    expect(store.getState().currentModelId).toBe('bundled:wave');
    await switcher.pick(7);
    expect(api.selectModel).toHaveBeenCalledTimes(1);
  });

  it('does not reload the running style, but shows its name again', async () => {
    const { store, api, switcher } = setup(async (id) => ok(engineStatus(id)));
    await switcher.select('bundled:udnie');
    store.getState().setModelToast(null);
    await switcher.select('bundled:udnie');
    expect(api.selectModel).toHaveBeenCalledTimes(1);
    expect(store.getState().modelToast?.name).toBe('Udnie');
  });
});
