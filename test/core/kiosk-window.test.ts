import { describe, expect, it, vi } from 'vitest';
import {
  displayChoices,
  kioskDisplay,
  KioskRuntime,
  kioskWindowPlan,
  type KioskDisplay,
} from '../../main/core/kiosk-window.js';
import { DEFAULT_SETTINGS, type Settings } from '../../common/settings-schema.js';

const primary: KioskDisplay = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } };
const side: KioskDisplay = { id: 2779098405, bounds: { x: 1920, y: -200, width: 1080, height: 1920 } };
const kiosk = (over: Partial<Settings['kiosk']>): Settings['kiosk'] => ({
  ...DEFAULT_SETTINGS.kiosk,
  ...over,
});
const withKiosk = (over: Partial<Settings['kiosk']>): Settings => ({
  ...DEFAULT_SETTINGS,
  kiosk: kiosk(over),
});

describe('kioskWindowPlan', () => {
  it('is an ordinary window when kiosk mode is off and not asked for', () => {
    expect(kioskWindowPlan(kiosk({}), null, [primary, side], primary)).toEqual({
      kiosk: false,
      windowOptions: {},
      pageQuery: '',
      note: null,
    });
  });

  it('fills the chosen display, full screen, and tells the page', () => {
    const plan = kioskWindowPlan(
      kiosk({ enabled: true, displayId: side.id }),
      null,
      [primary, side],
      primary,
    );
    expect(plan.windowOptions).toEqual({
      x: 1920,
      y: -200,
      width: 1080,
      height: 1920,
      minWidth: 0,
      minHeight: 0,
      kiosk: true,
      fullscreen: true,
    });
    expect(plan.pageQuery).toBe('?kiosk=1');
    expect(plan.note).toBe(`kiosk mode on display ${side.id}.`);
  });

  it('falls back to the primary display when the chosen one is gone, and says so', () => {
    const plan = kioskWindowPlan(kiosk({ enabled: true, displayId: 99 }), null, [primary], primary);
    expect(plan.windowOptions).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080, kiosk: true });
    expect(plan.note).toBe('kiosk display 99 is not connected: using the primary display (1).');
  });

  it('starts in kiosk mode with --kiosk, whatever the setting says', () => {
    expect(kioskWindowPlan(kiosk({ enabled: false }), true, [primary], primary).kiosk).toBe(true);
  });
});

describe('KioskRuntime', () => {
  function runtime(startInKiosk: boolean, settings: Settings) {
    const effects = {
      preventDisplaySleep: vi.fn(),
      setWindowKiosk: vi.fn(),
      openAtLogin: vi.fn(),
      displays: vi.fn(() => ({ all: [primary, side], primary })),
      placeOn: vi.fn(),
    };
    const plan = kioskWindowPlan(settings.kiosk, startInKiosk ? true : null, [primary], primary);
    return { effects, runtime: new KioskRuntime(plan, settings, effects) };
  }

  it('keeps the display awake from the start in kiosk mode and follows start-at-login', () => {
    const { effects } = runtime(true, withKiosk({ startAtLogin: true }));
    expect(effects.preventDisplaySleep).toHaveBeenCalledWith(true);
    expect(effects.openAtLogin).toHaveBeenCalledWith(true);
    expect(effects.setWindowKiosk).not.toHaveBeenCalled();
  });

  it('leaves kiosk mode when the person turns it off, also over --kiosk, and enters it again', () => {
    const before = withKiosk({});
    const { effects, runtime: r } = runtime(true, before);
    // --kiosk with the setting off: the page's "Leave" saves off, which changes nothing saved.
    r.updated({ kiosk: { enabled: false } }, before, before);
    expect(r.active).toBe(false);
    expect(effects.setWindowKiosk).toHaveBeenLastCalledWith(false);
    expect(effects.preventDisplaySleep).toHaveBeenLastCalledWith(false);

    const on = withKiosk({ enabled: true });
    r.updated({ kiosk: { enabled: true } }, on, before);
    expect(r.active).toBe(true);
    expect(effects.setWindowKiosk).toHaveBeenLastCalledWith(true);
    expect(effects.preventDisplaySleep).toHaveBeenLastCalledWith(true);
  });

  it('ignores updates that leave kiosk mode alone, and follows start-at-login changes', () => {
    const before = withKiosk({ enabled: true });
    const { effects, runtime: r } = runtime(true, before);
    effects.setWindowKiosk.mockClear();
    effects.openAtLogin.mockClear();
    r.updated({ strength: 0.5 }, { ...before, strength: 0.5 }, before);
    expect(r.active).toBe(true);
    expect(effects.setWindowKiosk).not.toHaveBeenCalled();
    expect(effects.openAtLogin).not.toHaveBeenCalled();
    const login = withKiosk({ enabled: true, startAtLogin: true });
    r.updated({ kiosk: { startAtLogin: true } }, login, before);
    expect(effects.openAtLogin).toHaveBeenCalledWith(true);
    expect(effects.setWindowKiosk).not.toHaveBeenCalled();
  });

  it('moves the kiosk window when another display is chosen, and only while kiosk mode runs', () => {
    const before = withKiosk({ enabled: true });
    const { effects, runtime: r } = runtime(true, before);
    const onSide = withKiosk({ enabled: true, displayId: side.id });
    r.updated({ kiosk: { displayId: side.id } }, onSide, before);
    expect(effects.placeOn).toHaveBeenLastCalledWith(side.bounds);
    // Back to "the primary display".
    r.updated({ kiosk: { displayId: null } }, before, onSide);
    expect(effects.placeOn).toHaveBeenLastCalledWith(primary.bounds);
    expect(effects.placeOn).toHaveBeenCalledTimes(2);

    const off = withKiosk({});
    const { effects: offEffects, runtime: ordinary } = runtime(false, off);
    ordinary.updated({ kiosk: { displayId: side.id } }, withKiosk({ displayId: side.id }), off);
    expect(offEffects.placeOn).not.toHaveBeenCalled();
  });
});

describe('displayChoices and kioskDisplay', () => {
  it('names every display, unnamed ones by their place, and marks the primary one', () => {
    expect(
      displayChoices({
        all: [
          { ...primary, label: ' DELL U2720Q ' },
          { ...side, label: '' },
        ],
        primary,
      }),
    ).toEqual([
      { id: 1, label: 'DELL U2720Q', width: 1920, height: 1080, primary: true },
      { id: side.id, label: 'Display 2', width: 1080, height: 1920, primary: false },
    ]);
  });

  it('fills the chosen display while it is connected, else the primary one', () => {
    expect(kioskDisplay(side.id, { all: [primary, side], primary })).toBe(side);
    expect(kioskDisplay(side.id, { all: [primary], primary })).toBe(primary);
    expect(kioskDisplay(null, { all: [primary, side], primary })).toBe(primary);
  });
});
