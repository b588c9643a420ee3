import type { StateCreator } from 'zustand/vanilla';
import type { PackInfo, PackStatus } from '../../../common/contract.js';
import type { MirrorState } from './mirror-state.js';

/** A style being added: what the progress card names while the app checks it. */
export interface ImportInProgress {
  /** The folder's or zip's name; null when it is not known yet (the system's dialog is choosing). */
  readonly name: string | null;
}

export interface LibrarySlice {
  /** The import under way, if any: one at a time. */
  readonly importing: ImportInProgress | null;
  /** Whether the "Get more styles" panel is open. */
  readonly packsOpen: boolean;
  /** The packs on offer; null until listed. */
  readonly packs: readonly PackInfo[] | null;
  /** The pack download as last polled; null before the panel asked. */
  readonly packStatus: PackStatus | null;
  setImporting(importing: ImportInProgress | null): void;
  setPacksOpen(open: boolean): void;
  setPacks(packs: readonly PackInfo[] | null): void;
  setPackStatus(status: PackStatus | null): void;
}

export const createLibrarySlice: StateCreator<MirrorState, [], [], LibrarySlice> = (set) => ({
  importing: null,
  packsOpen: false,
  packs: null,
  packStatus: null,
  setImporting: (importing) => set({ importing }),
  setPacksOpen: (packsOpen) => set({ packsOpen }),
  setPacks: (packs) => set({ packs }),
  setPackStatus: (packStatus) => set({ packStatus }),
});
