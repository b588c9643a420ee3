import { useEffect } from 'react';
import { mirrorStore } from '../store/mirror-store.js';
import { selectKioskLocked } from '../store/selectors.js';
import type { AppServices } from './app-context.js';
import { shortcutFor, type ShortcutAction } from './keyboard-shortcuts.js';
import { takeSnapshot, toggleFullscreen, toggleRecording } from './page-actions.js';

/** The mirror's keys (see keyboard-shortcuts.ts), on the whole window. */
export function useKeyboardShortcuts(services: AppServices): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      // A kiosk shows the picture alone: its keys are locked, but for the chord (useKioskKeys).
      if (selectKioskLocked(mirrorStore.getState())) return;
      const target = event.target;
      const inTextField =
        target instanceof HTMLElement &&
        (target.isContentEditable ||
          target instanceof HTMLTextAreaElement ||
          (target instanceof HTMLInputElement && !['range', 'checkbox', 'button'].includes(target.type)));
      const action = shortcutFor({ ...pick(event), inTextField });
      if (action === null) return;
      // The key is ours: a focused select or slider must not also move on ArrowLeft/ArrowRight.
      event.preventDefault();
      perform(action, services, event.repeat);
    };
    // Capture phase: a focused control sees the key only after the mirror decided it is not ours.
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, [services]);
}

function pick(event: KeyboardEvent) {
  return { key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey };
}

function perform(action: ShortcutAction, services: AppServices, repeat: boolean): void {
  const { controller } = services;
  const state = mirrorStore.getState();
  switch (action.type) {
    case 'next-style':
      void controller.models.step(1);
      return;
    case 'previous-style':
      void controller.models.step(-1);
      return;
    case 'pick-style':
      void controller.models.pick(action.index);
      return;
    case 'toggle-picker':
      if (!repeat) state.togglePicker();
      return;
    case 'close-picker':
      // The packs panel lies over the picker: Escape closes the top one.
      if (state.packsOpen) controller.library.closePacks();
      else state.setPickerOpen(false);
      return;
    case 'snapshot':
      if (!repeat) void takeSnapshot(services);
      return;
    case 'toggle-recording':
      if (!repeat) void toggleRecording(services);
      return;
    case 'toggle-hud':
      if (!repeat && state.settings !== null)
        void controller.changeSettings({ showHud: !state.settings.showHud });
      return;
    case 'toggle-fullscreen':
      if (!repeat) toggleFullscreen();
      return;
  }
}
