import { useStore } from 'zustand';
import type { MirrorState } from './mirror-state.js';
import { mirrorStore } from './mirror-store.js';

/** Reads the page's store in a component; re-renders only when the selected value changes. */
export function useMirror<T>(selector: (state: MirrorState) => T): T {
  return useStore(mirrorStore, selector);
}
