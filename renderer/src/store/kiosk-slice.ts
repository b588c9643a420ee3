import type { StateCreator } from 'zustand/vanilla';
import type { MirrorState } from './mirror-state.js';

/**
 * Kiosk presentation for this page. Whether kiosk mode is on comes from the saved setting or from
 * the page's address (`?kiosk=1`, which the app also uses for `--kiosk`); leaving it from the
 * revealed settings ends it for this page even when the address asked for it.
 */
export interface KioskSlice {
  /** The page's address asked for kiosk mode (`?kiosk=1`), whatever the saved setting says. */
  readonly kioskRequested: boolean;
  /** Kiosk mode was left from the settings in this page. */
  readonly kioskLeft: boolean;
  /** The key chord (and the PIN, if one is set) revealed the settings over the kiosk picture. */
  readonly kioskRevealed: boolean;
  /** The PIN pad is open after the key chord. */
  readonly kioskPinOpen: boolean;
  setKioskRequested(requested: boolean): void;
  setKioskLeft(left: boolean): void;
  setKioskRevealed(revealed: boolean): void;
  setKioskPinOpen(open: boolean): void;
}

export const createKioskSlice: StateCreator<MirrorState, [], [], KioskSlice> = (set) => ({
  kioskRequested: false,
  kioskLeft: false,
  kioskRevealed: false,
  kioskPinOpen: false,
  setKioskRequested: (kioskRequested) => set({ kioskRequested }),
  setKioskLeft: (kioskLeft) => set({ kioskLeft }),
  setKioskRevealed: (kioskRevealed) => set({ kioskRevealed }),
  setKioskPinOpen: (kioskPinOpen) => set({ kioskPinOpen }),
});
