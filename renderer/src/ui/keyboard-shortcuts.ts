/** Something a key asks the mirror to do. */
export type ShortcutAction =
  | { readonly type: 'next-style' }
  | { readonly type: 'previous-style' }
  /** 0-based: the key "1" picks style 0. */
  | { readonly type: 'pick-style'; readonly index: number }
  | { readonly type: 'toggle-picker' }
  | { readonly type: 'close-picker' }
  | { readonly type: 'snapshot' }
  | { readonly type: 'toggle-recording' }
  | { readonly type: 'toggle-hud' }
  | { readonly type: 'toggle-fullscreen' };

/** The parts of a KeyboardEvent the mapping reads. */
export interface KeyPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  /** Whether focus is in a text field, where letters and digits are typing. */
  readonly inTextField: boolean;
}

/**
 * The mirror's keys. They work wherever focus is (a gallery visitor never knows where it is), even
 * on the strength slider or a select, except in a text field, where keys are typing. ArrowUp/ArrowDown
 * are left to the focused slider or select, so those stay adjustable from the keyboard. Keys with Ctrl, Cmd or Alt belong to the browser and the system.
 */
export function shortcutFor(press: KeyPress): ShortcutAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (press.key === 'F11') return { type: 'toggle-fullscreen' };
  // In a text field (renaming a style) Escape is the field's: it gives up the edit.
  if (press.inTextField) return null;
  if (press.key === 'Escape') return { type: 'close-picker' };
  if (press.key === 'ArrowRight') return { type: 'next-style' };
  if (press.key === 'ArrowLeft') return { type: 'previous-style' };
  if (/^[1-9]$/.test(press.key)) return { type: 'pick-style', index: Number(press.key) - 1 };
  switch (press.key.toLowerCase()) {
    case 'p':
      return { type: 'toggle-picker' };
    case 's':
      return { type: 'snapshot' };
    case 'r':
      return { type: 'toggle-recording' };
    case 'h':
      return { type: 'toggle-hud' };
  }
  return null;
}
