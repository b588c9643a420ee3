import { useEffect, type RefObject } from 'react';
import { mirrorStore } from '../store/mirror-store.js';

/** The controls fade out after this long without pointer movement. */
export const CONTROLS_IDLE_MS = 3000;

/**
 * Shows the controls (and the pointer) on pointer movement, a click or keyboard focus on them, and
 * hides them after CONTROLS_IDLE_MS of stillness, so a mirror on a wall shows only the picture. They
 * stay while the pointer is over them or keyboard focus is inside them.
 */
export function useIdleControls(panelRef: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hideLater = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const panel = panelRef.current;
        // Keyboard focus (focus-visible), not focus left on a button after a click: that would
        // keep the panel up on the wall for good.
        if (panel?.matches(':hover, :has(:focus-visible)') === true) hideLater();
        else mirrorStore.getState().setControlsVisible(false);
      }, CONTROLS_IDLE_MS);
    };
    const wake = (): void => {
      mirrorStore.getState().setControlsVisible(true);
      hideLater();
    };
    const onFocusIn = (event: FocusEvent): void => {
      if (event.target instanceof Node && panelRef.current?.contains(event.target) === true) wake();
    };
    hideLater();
    window.addEventListener('pointermove', wake, { passive: true });
    window.addEventListener('pointerdown', wake, { passive: true });
    window.addEventListener('focusin', onFocusIn);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointermove', wake);
      window.removeEventListener('pointerdown', wake);
      window.removeEventListener('focusin', onFocusIn);
    };
  }, [panelRef]);
}
