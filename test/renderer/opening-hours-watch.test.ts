import { describe, expect, it } from 'vitest';
import type { Settings } from '../../common/settings-schema.js';
import { OpeningHoursWatch } from '../../renderer/src/app/opening-hours-watch.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { ManualTimers, SETTINGS } from './fakes.js';

/** 14 January 2026, 08:58 local time, plus the timers' time. */
const START = new Date(2026, 0, 14, 8, 58).getTime();

function setup(openingHours: Partial<Settings['openingHours']>) {
  const store = createMirrorStore();
  const timers = new ManualTimers();
  store.getState().setSettings({
    ...SETTINGS,
    openingHours: { ...SETTINGS.openingHours, enabled: true, ...openingHours },
  });
  /** The computer's clock, set by hand (or woken from sleep) when the test changes it. */
  const clock = { offset: 0 };
  const watch = new OpeningHoursWatch(store, timers, () => new Date(START + clock.offset + timers.now));
  return { store, timers, watch, clock };
}

const MINUTE = 60_000;

describe('OpeningHoursWatch', () => {
  it('is closed (dim) before the opening time, open from it, closed (black) again from the close', () => {
    const { store, timers, watch } = setup({ open: '09:00', close: '09:30', closed: 'black' });
    watch.start();
    expect(store.getState().closed).toBe('black');
    timers.advance(2 * MINUTE - 1);
    expect(store.getState().closed).toBe('black');
    timers.advance(1);
    expect(store.getState().closed).toBeNull();
    timers.advance(30 * MINUTE);
    expect(store.getState().closed).toBe('black');
  });

  it('shows the closed style the settings name, and nothing when opening hours are off or change', () => {
    const { store, watch } = setup({ open: '10:00', close: '18:00', closed: 'dim' });
    watch.start();
    expect(store.getState().closed).toBe('dim');
    const settings = store.getState().settings!;
    store.getState().setSettings({ ...settings, openingHours: { ...settings.openingHours, enabled: false } });
    expect(store.getState().closed).toBeNull();
    store.getState().setSettings({ ...settings, openingHours: { ...settings.openingHours, open: '08:00' } });
    expect(store.getState().closed).toBeNull();
  });

  it('notices a clock set by hand within a minute', () => {
    const { store, timers, watch, clock } = setup({ open: '20:00', close: '22:00' });
    watch.start();
    expect(store.getState().closed).toBe('dim');
    clock.offset = 12 * 60 * MINUTE; // 20:58
    timers.advance(MINUTE);
    expect(store.getState().closed).toBeNull();
  });

  it('stop() ends the watch', () => {
    const { store, timers, watch } = setup({ open: '09:00', close: '18:00' });
    watch.start();
    watch.stop();
    timers.advance(10 * MINUTE);
    expect(store.getState().closed).toBe('dim');
    expect(timers.pending).toBe(0);
  });
});
