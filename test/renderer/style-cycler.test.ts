import { describe, expect, it, vi } from 'vitest';
import type { MirrorEngineStatus, Result } from '../../common/contract.js';
import type { Settings } from '../../common/settings-schema.js';
import { ModelSwitcher } from '../../renderer/src/app/model-switcher.js';
import { Notifier } from '../../renderer/src/app/notifier.js';
import { StyleCycler } from '../../renderer/src/app/style-cycler.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { engineStatus, fail, flush, ManualTimers, model, ok, SETTINGS } from './fakes.js';

const MODELS = [model('a'), model('b'), model('c'), model('d')];

interface Setup {
  cycle?: Partial<Settings['cycle']>;
  attract?: Partial<Settings['attract']>;
  broken?: readonly string[];
}

/** A cycler driving a real ModelSwitcher over a fake API whose loads answer at once. */
function setup({ cycle = {}, attract = {}, broken = [] }: Setup = {}) {
  const store = createMirrorStore();
  const timers = new ManualTimers();
  store.getState().setModels(MODELS);
  store.getState().setSettings({
    ...SETTINGS,
    cycle: { ...SETTINGS.cycle, seconds: 10, ...cycle },
    attract: { ...SETTINGS.attract, ...attract },
  });
  store.getState().setCurrentModel('bundled:a');
  const loads: string[] = [];
  const api = {
    selectModel: vi.fn(async ({ id }: { id: string }): Promise<Result<MirrorEngineStatus>> => {
      loads.push(id);
      return broken.includes(id) ? fail('the weights are damaged') : ok(engineStatus(id));
    }),
  };
  const switcher = new ModelSwitcher(api, store, new Notifier(store, timers));
  const cycler = new StyleCycler({ store, switcher, timers, now: () => timers.now });
  /** Advances time in steps, letting each switch's promise settle. */
  const advance = async (ms: number) => {
    for (let t = 0; t < ms; t += 500) {
      timers.advance(Math.min(500, ms - t));
      await flush();
    }
  };
  const current = () => store.getState().currentModelId;
  return { store, timers, switcher, cycler, loads, advance, current };
}

describe('StyleCycler', () => {
  it('changes to the next style every cycle.seconds, in sequence, wrapping around', async () => {
    const { cycler, advance, current, loads } = setup();
    cycler.start();
    await advance(9_500);
    expect(current()).toBe('bundled:a');
    await advance(500);
    expect(current()).toBe('bundled:b');
    await advance(30_000);
    expect(loads).toEqual(['bundled:b', 'bundled:c', 'bundled:d', 'bundled:a']);
  });

  it('does nothing while cycling is off, and starts when it is turned on', async () => {
    const { cycler, advance, current, store } = setup({ cycle: { seconds: null } });
    cycler.start();
    await advance(60_000);
    expect(current()).toBe('bundled:a');
    const settings = store.getState().settings!;
    store.getState().setSettings({ ...settings, cycle: { ...settings.cycle, seconds: 5 } });
    await advance(5_000);
    expect(current()).toBe('bundled:b');
  });

  it('keeps to the playlist, leaving out styles that do not exist', async () => {
    const { cycler, advance, loads } = setup({ cycle: { playlist: ['bundled:d', 'gone:x', 'bundled:b'] } });
    cycler.start();
    await advance(40_000);
    expect(loads).toEqual(['bundled:d', 'bundled:b', 'bundled:d', 'bundled:b']);
  });

  it('shuffles in whole rounds, never showing a style twice running', async () => {
    let seed = 0.1;
    const { store, switcher, timers, advance, loads } = setup({ cycle: { order: 'shuffle' } });
    const cycler = new StyleCycler({
      store,
      switcher,
      timers,
      now: () => timers.now,
      random: () => (seed = (seed * 9301 + 0.49297) % 1),
    });
    cycler.start();
    await advance(120_000);
    expect(loads).toHaveLength(12);
    for (let r = 0; r < 12; r += 4)
      expect([...loads.slice(r, r + 4)].sort()).toEqual(MODELS.map((m) => m.id));
    for (let i = 1; i < loads.length; i++) expect(loads[i]).not.toBe(loads[i - 1]);
  });

  it('skips a style that fails to load, at once and in later rounds', async () => {
    const { cycler, advance, current, loads, store } = setup({ broken: ['bundled:b'] });
    cycler.start();
    await advance(10_000);
    expect(current()).toBe('bundled:c');
    expect(store.getState().toasts.map((t) => t.text)).toEqual([
      'Could not load the style "B": the weights are damaged. Still showing "A".',
    ]);
    await advance(30_000);
    expect(loads).toEqual(['bundled:b', 'bundled:c', 'bundled:d', 'bundled:a', 'bundled:c']);
  });

  it('stops when no other style loads, and tries the broken ones again only once the library changes', async () => {
    const { cycler, advance, current, loads, store } = setup({
      broken: ['bundled:b', 'bundled:c', 'bundled:d'],
    });
    cycler.start();
    await advance(10_000);
    expect(current()).toBe('bundled:a');
    expect(loads).toEqual(['bundled:b', 'bundled:c', 'bundled:d']);
    await advance(10_000);
    expect(loads).toHaveLength(3);
    store.getState().setModels([...MODELS]); // The picker listed the styles again.
    await advance(10_000);
    expect(loads).toHaveLength(6);
  });

  it('starts the wait afresh when a person switches styles by hand', async () => {
    const { cycler, advance, current, switcher } = setup();
    cycler.start();
    await advance(8_000);
    await switcher.select('bundled:d');
    await advance(8_000);
    expect(current()).toBe('bundled:d');
    await advance(2_000);
    expect(current()).toBe('bundled:a');
  });

  it('changes nothing while the mirror is closed (opening hours), and waits afresh once it opens', async () => {
    const { cycler, advance, current, store } = setup();
    cycler.start();
    store.getState().setClosed('dim');
    await advance(60_000);
    expect(current()).toBe('bundled:a');
    store.getState().setClosed(null);
    await advance(10_000);
    expect(current()).toBe('bundled:b');
  });

  it('stop() ends the cycling', async () => {
    const { cycler, advance, current } = setup();
    cycler.start();
    cycler.stop();
    await advance(60_000);
    expect(current()).toBe('bundled:a');
  });

  describe('attract mode', () => {
    it('slower: after afterSeconds without motion, styles change every cycleSeconds; motion ends it at once', async () => {
      const { cycler, advance, loads, store, timers } = setup({
        cycle: { seconds: 10 },
        attract: { afterSeconds: 30, mode: 'slower', cycleSeconds: 25 },
      });
      cycler.start();
      await advance(29_500);
      expect(store.getState().attracting).toBe(false);
      expect(loads).toHaveLength(2); // at 10 s and 20 s
      await advance(500);
      expect(store.getState().attracting).toBe(true);
      await advance(24_500);
      expect(loads).toHaveLength(2); // the 10 s rhythm is over: the next change is 25 s in
      await advance(500);
      expect(loads).toHaveLength(3);

      store.getState().noteMotion(timers.now);
      expect(store.getState().attracting).toBe(false);
      await advance(10_000);
      expect(loads).toHaveLength(4); // back to every 10 s, counted from the motion
      await advance(10_000);
      expect(loads).toHaveLength(5);
    });

    it('slower cycles even when cycling is off', async () => {
      const { cycler, advance, loads } = setup({
        cycle: { seconds: null },
        attract: { afterSeconds: 5, mode: 'slower', cycleSeconds: 20 },
      });
      cycler.start();
      await advance(24_500);
      expect(loads).toEqual([]);
      await advance(500);
      expect(loads).toEqual(['bundled:b']);
    });

    it('style: shows the idle style and holds it, then cycling resumes on motion', async () => {
      const { cycler, advance, current, store, timers, loads } = setup({
        cycle: { seconds: 10 },
        attract: { afterSeconds: 15, mode: 'style', modelId: 'bundled:d' },
      });
      cycler.start();
      await advance(15_000);
      expect(store.getState().attracting).toBe(true);
      expect(current()).toBe('bundled:d');
      await advance(120_000);
      expect(current()).toBe('bundled:d');
      expect(loads).toEqual(['bundled:b', 'bundled:d']);
      store.getState().noteMotion(timers.now);
      await advance(10_000);
      expect(current()).toBe('bundled:a');
    });

    it('style: when the idle style is already showing, holds it and keeps it in the cycle', async () => {
      const { cycler, advance, store, timers, loads } = setup({
        cycle: { seconds: 10 },
        attract: { afterSeconds: 5, mode: 'style', modelId: 'bundled:a' },
      });
      cycler.start();
      await advance(5_000);
      expect(store.getState().attracting).toBe(true);
      expect(loads).toEqual([]);
      // People in front of the mirror: motion every second.
      for (let t = 0; t < 40_000; t += 1000) {
        store.getState().noteMotion(timers.now);
        await advance(1000);
      }
      expect(store.getState().attracting).toBe(false);
      expect(loads).toEqual(['bundled:b', 'bundled:c', 'bundled:d', 'bundled:a']);
    });

    it('waits afterSeconds from the last motion noted, not from the start', async () => {
      const { cycler, advance, store, timers } = setup({
        cycle: { seconds: null },
        attract: { afterSeconds: 20 },
      });
      cycler.start();
      await advance(15_000);
      store.getState().noteMotion(timers.now);
      await advance(19_500);
      expect(store.getState().attracting).toBe(false);
      await advance(500);
      expect(store.getState().attracting).toBe(true);
    });

    it('is never entered while afterSeconds is null, and ends when it is set to null', async () => {
      const { cycler, advance, store } = setup({ attract: { afterSeconds: null } });
      cycler.start();
      await advance(600_000);
      expect(store.getState().attracting).toBe(false);
      const settings = store.getState().settings!;
      store.getState().setSettings({ ...settings, attract: { ...settings.attract, afterSeconds: 5 } });
      await flush();
      expect(store.getState().attracting).toBe(true);
      store.getState().setSettings({ ...settings, attract: { ...settings.attract, afterSeconds: null } });
      expect(store.getState().attracting).toBe(false);
    });
  });
});
