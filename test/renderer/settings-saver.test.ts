import { describe, expect, it, vi } from 'vitest';
import type { Result } from '../../common/contract.js';
import type { Settings, SettingsPatch } from '../../common/settings-schema.js';
import { SettingsSaver } from '../../renderer/src/app/settings-saver.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { deferred, fail, flush, SETTINGS } from './fakes.js';

/** An updateSettings whose saves the test completes one by one. */
function slowSaves() {
  const calls: { patch: SettingsPatch; done: ReturnType<typeof deferred<Result<Settings>>> }[] = [];
  const updateSettings = vi.fn((patch: SettingsPatch) => {
    const done = deferred<Result<Settings>>();
    calls.push({ patch, done });
    return done.promise;
  });
  return { calls, updateSettings };
}

describe('SettingsSaver', () => {
  it('applies a change at once, before it is saved', () => {
    const store = createMirrorStore();
    const { updateSettings } = slowSaves();
    const saver = new SettingsSaver({ updateSettings }, store, () => undefined);
    saver.loaded(SETTINGS);
    void saver.change({ strength: 0.4, camera: { deviceId: 'cam-2' } });
    expect(store.getState().settings).toMatchObject({
      strength: 0.4,
      camera: { deviceId: 'cam-2', width: 640 },
    });
  });

  it('saves one change at a time, merging the changes made meanwhile into the next save', async () => {
    const store = createMirrorStore();
    const { calls, updateSettings } = slowSaves();
    const saver = new SettingsSaver({ updateSettings }, store, () => undefined);
    saver.loaded(SETTINGS);

    void saver.change({ strength: 0.9 });
    void saver.change({ strength: 0.8 });
    void saver.change({ strength: 0.7, splitView: true });
    expect(calls.map((c) => c.patch)).toEqual([{ strength: 0.9 }]);

    calls[0]!.done.resolve({ ok: true, value: { ...SETTINGS, strength: 0.9 } });
    await flush();
    // The first save's answer must not undo the later changes on screen.
    expect(store.getState().settings).toMatchObject({ strength: 0.7, splitView: true });
    expect(calls.map((c) => c.patch)).toEqual([{ strength: 0.9 }, { strength: 0.7, splitView: true }]);

    calls[1]!.done.resolve({ ok: true, value: { ...SETTINGS, strength: 0.7, splitView: true } });
    await flush();
    expect(calls).toHaveLength(2);
    expect(store.getState().settings).toEqual({ ...SETTINGS, strength: 0.7, splitView: true });
  });

  it('resolves a change made during a save only once that change is saved too', async () => {
    const store = createMirrorStore();
    const { calls, updateSettings } = slowSaves();
    const saver = new SettingsSaver({ updateSettings }, store, () => undefined);
    saver.loaded(SETTINGS);
    const done: string[] = [];
    void saver.change({ strength: 0.9 }).then(() => done.push('strength'));
    void saver.change({ precision: 'int8' }).then(() => done.push('precision'));

    calls[0]!.done.resolve({ ok: true, value: { ...SETTINGS, strength: 0.9 } });
    await flush();
    expect(done).toEqual([]);
    calls[1]!.done.resolve({ ok: true, value: { ...SETTINGS, strength: 0.9, precision: 'int8' } });
    await flush();
    expect(done).toEqual(['strength', 'precision']);
  });

  it('puts the saved settings back when a save fails, and says why', async () => {
    const store = createMirrorStore();
    const errors: string[] = [];
    const saver = new SettingsSaver(
      { updateSettings: async () => fail<Settings>('disk full') },
      store,
      (message) => errors.push(message),
    );
    saver.loaded(SETTINGS);
    await saver.change({ mirror: false });
    expect(store.getState().settings).toEqual(SETTINGS);
    expect(errors).toEqual(['Could not save settings: disk full']);
  });
});
