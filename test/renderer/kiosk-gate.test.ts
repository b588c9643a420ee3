import { describe, expect, it, vi } from 'vitest';
import type { SettingsPatch } from '../../common/settings-schema.js';
import {
  isKioskChord,
  KioskGate,
  kioskRequestedBy,
  WRONG_PIN_DELAY_MS,
} from '../../renderer/src/kiosk/kiosk-gate.js';
import { createMirrorStore } from '../../renderer/src/store/mirror-store.js';
import { selectKioskActive, selectKioskLocked } from '../../renderer/src/store/selectors.js';
import { SETTINGS } from './fakes.js';

function kioskStore(kiosk: Partial<(typeof SETTINGS)['kiosk']>) {
  const store = createMirrorStore();
  store.getState().setSettings({ ...SETTINGS, kiosk: { ...SETTINGS.kiosk, enabled: true, ...kiosk } });
  return store;
}

function gateFor(store: ReturnType<typeof createMirrorStore>) {
  const clock = { now: 0 };
  const patches: SettingsPatch[] = [];
  const changeSettings = vi.fn(async (patch: SettingsPatch) => {
    patches.push(patch);
  });
  return { gate: new KioskGate(store, changeSettings, () => clock.now), clock, patches };
}

const press = (
  key: string,
  mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>>,
) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('kiosk mode in the page', () => {
  it('is asked for by ?kiosk=1 only', () => {
    expect(kioskRequestedBy('?kiosk=1')).toBe(true);
    expect(kioskRequestedBy('?token=abc&kiosk=1')).toBe(true);
    expect(kioskRequestedBy('?kiosk=0')).toBe(false);
    expect(kioskRequestedBy('?kiosk')).toBe(false);
    expect(kioskRequestedBy('')).toBe(false);
  });

  it('knows its chord: Ctrl+Shift+K or Cmd+Shift+K, nothing less', () => {
    expect(isKioskChord(press('K', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(isKioskChord(press('k', { metaKey: true, shiftKey: true }))).toBe(true);
    expect(isKioskChord(press('k', { ctrlKey: true }))).toBe(false);
    expect(isKioskChord(press('K', { shiftKey: true }))).toBe(false);
    expect(isKioskChord(press('K', { ctrlKey: true, shiftKey: true, altKey: true }))).toBe(false);
  });

  it('is on by the setting or by the address, and locked until revealed', () => {
    const store = createMirrorStore();
    store.getState().setSettings(SETTINGS);
    expect(selectKioskActive(store.getState())).toBe(false);
    store.getState().setKioskRequested(true);
    expect(selectKioskLocked(store.getState())).toBe(true);
    store.getState().setKioskRevealed(true);
    expect(selectKioskActive(store.getState())).toBe(true);
    expect(selectKioskLocked(store.getState())).toBe(false);
  });

  it('reveals the settings on the chord without a PIN, and hides them on the next', () => {
    const store = kioskStore({ pin: null });
    const { gate } = gateFor(store);
    gate.chord();
    expect(store.getState().kioskRevealed).toBe(true);
    expect(store.getState().kioskPinOpen).toBe(false);
    gate.chord();
    expect(selectKioskLocked(store.getState())).toBe(true);
  });

  it('does nothing on the chord when kiosk mode is off', () => {
    const store = createMirrorStore();
    store.getState().setSettings(SETTINGS);
    gateFor(store).gate.chord();
    expect(store.getState().kioskRevealed).toBe(false);
    expect(store.getState().kioskPinOpen).toBe(false);
  });

  it('asks for the PIN; a wrong one reveals nothing and locks the pad for a while', () => {
    const store = kioskStore({ pin: '4711' });
    const { gate, clock } = gateFor(store);
    gate.chord();
    expect(store.getState().kioskPinOpen).toBe(true);
    expect(store.getState().kioskRevealed).toBe(false);

    expect(gate.submitPin('1234')).toBe('wrong');
    expect(gate.pinLocked).toBe(true);
    // Even the right PIN is not looked at while the pad is locked.
    clock.now += WRONG_PIN_DELAY_MS - 1;
    expect(gate.submitPin('4711')).toBe('locked');
    expect(store.getState().kioskRevealed).toBe(false);

    clock.now += 1;
    expect(gate.pinLocked).toBe(false);
    expect(gate.submitPin('4711')).toBe('revealed');
    expect(store.getState().kioskRevealed).toBe(true);
    expect(store.getState().kioskPinOpen).toBe(false);
  });

  it('leaves kiosk mode for the page and saves it off', async () => {
    const store = kioskStore({ pin: null });
    const { gate, patches } = gateFor(store);
    gate.chord();
    await gate.leave();
    expect(selectKioskActive(store.getState())).toBe(false);
    expect(patches).toEqual([{ kiosk: { enabled: false } }]);
  });

  it('leaves a kiosk asked for by the address, telling the app (the saved setting stays off)', async () => {
    const store = createMirrorStore();
    store.getState().setSettings(SETTINGS);
    store.getState().setKioskRequested(true);
    const { gate, patches } = gateFor(store);
    await gate.leave();
    expect(selectKioskActive(store.getState())).toBe(false);
    expect(patches).toEqual([{ kiosk: { enabled: false } }]);
  });

  it('enters kiosk mode, saved, with the settings hidden', async () => {
    const store = createMirrorStore();
    store.getState().setSettings(SETTINGS);
    store.getState().setKioskLeft(true);
    const { gate, patches } = gateFor(store);
    await gate.enter();
    expect(patches).toEqual([{ kiosk: { enabled: true } }]);
    expect(store.getState().kioskLeft).toBe(false);
  });
});
