import { describe, expect, it } from 'vitest';
import { shortcutFor, type KeyPress } from '../../renderer/src/ui/keyboard-shortcuts.js';

const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  inTextField: false,
  ...extra,
});

describe('shortcutFor', () => {
  it('maps the mirror’s keys', () => {
    expect(shortcutFor(press('ArrowRight'))).toEqual({ type: 'next-style' });
    expect(shortcutFor(press('ArrowLeft'))).toEqual({ type: 'previous-style' });
    expect(shortcutFor(press('1'))).toEqual({ type: 'pick-style', index: 0 });
    expect(shortcutFor(press('9'))).toEqual({ type: 'pick-style', index: 8 });
    expect(shortcutFor(press('p'))).toEqual({ type: 'toggle-picker' });
    expect(shortcutFor(press('S'))).toEqual({ type: 'snapshot' });
    expect(shortcutFor(press('h'))).toEqual({ type: 'toggle-hud' });
    expect(shortcutFor(press('F11'))).toEqual({ type: 'toggle-fullscreen' });
    expect(shortcutFor(press('Escape'))).toEqual({ type: 'close-picker' });
  });

  it('leaves other keys alone: 0, ArrowUp/Down (the focused slider’s), anything with a modifier', () => {
    for (const key of ['0', 'ArrowUp', 'ArrowDown', 'x', 'Enter', ' '])
      expect(shortcutFor(press(key))).toBeNull();
    expect(shortcutFor(press('s', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press('ArrowRight', { altKey: true }))).toBeNull();
    expect(shortcutFor(press('1', { metaKey: true }))).toBeNull();
  });

  it('lets a text field have its keys (Escape gives up a rename), but not F11', () => {
    expect(shortcutFor(press('s', { inTextField: true }))).toBeNull();
    expect(shortcutFor(press('Escape', { inTextField: true }))).toBeNull();
    expect(shortcutFor(press('ArrowLeft', { inTextField: true }))).toBeNull();
    expect(shortcutFor(press('F11', { inTextField: true }))).toEqual({ type: 'toggle-fullscreen' });
  });
});
