import type { StateCreator } from 'zustand/vanilla';
import type { MirrorState } from './mirror-state.js';

/** A short message in the corner: a saved snapshot's path, an error, a hint, a warning that lasts. */
export interface Toast {
  readonly id: number;
  readonly kind: 'snapshot' | 'error' | 'info' | 'warning';
  readonly text: string;
}

/** The name of the style being switched to, shown large for a moment. */
export interface ModelToast {
  readonly modelId: string;
  readonly name: string;
  /** True while the engine is still loading it. */
  readonly loading: boolean;
}

export interface UiSlice {
  readonly pickerOpen: boolean;
  readonly controlsVisible: boolean;
  readonly toasts: readonly Toast[];
  readonly modelToast: ModelToast | null;
  /** When the running recording started (performance.now()), or null when none runs. */
  readonly recordingSince: number | null;
  setRecordingSince(since: number | null): void;
  setPickerOpen(open: boolean): void;
  togglePicker(): void;
  setControlsVisible(visible: boolean): void;
  /** Adds a toast and returns its id. */
  pushToast(kind: Toast['kind'], text: string): number;
  dismissToast(id: number): void;
  setModelToast(toast: ModelToast | null): void;
}

/** At most this many toasts at once: the oldest goes first. */
const MAX_TOASTS = 4;

export const createUiSlice: StateCreator<MirrorState, [], [], UiSlice> = (set, get) => {
  let nextToastId = 1;
  return {
    pickerOpen: false,
    controlsVisible: true,
    toasts: [],
    modelToast: null,
    recordingSince: null,
    setRecordingSince: (recordingSince) => set({ recordingSince }),
    setPickerOpen: (pickerOpen) => set({ pickerOpen }),
    togglePicker: () => set({ pickerOpen: !get().pickerOpen }),
    setControlsVisible: (controlsVisible) => {
      if (get().controlsVisible !== controlsVisible) set({ controlsVisible });
    },
    pushToast: (kind, text) => {
      const id = nextToastId++;
      set({ toasts: [...get().toasts, { id, kind, text }].slice(-MAX_TOASTS) });
      return id;
    },
    dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
    setModelToast: (modelToast) => set({ modelToast }),
  };
};
