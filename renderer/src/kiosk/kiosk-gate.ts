import type { SettingsPatch } from '../../../common/settings-schema.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { selectKioskActive } from '../store/selectors.js';

/** The key chord that reveals the settings in kiosk mode, as the settings panel and README name it. */
export const KIOSK_CHORD_LABEL = 'Ctrl+Shift+K';

/** How long a wrong PIN locks the pad: guessing 4 digits takes hours, not minutes. */
export const WRONG_PIN_DELAY_MS = 2000;

/** The parts of a KeyboardEvent the chord reads. */
export interface ChordPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

/** Ctrl+Shift+K (Cmd+Shift+K on a Mac). A visitor does not press it by accident; a keyboard needs no mouse. */
export function isKioskChord(press: ChordPress): boolean {
  return (
    (press.ctrlKey || press.metaKey) && press.shiftKey && !press.altKey && press.key.toLowerCase() === 'k'
  );
}

/** Whether the page's address asks for kiosk mode (`?kiosk=1`): browser mode's switch, and `--kiosk`'s in the app. */
export function kioskRequestedBy(search: string): boolean {
  return new URLSearchParams(search).get('kiosk') === '1';
}

/** What a PIN typed on the pad did. */
export type PinOutcome = 'revealed' | 'wrong' | 'locked';

/**
 * Kiosk mode's lock: the key chord reveals the settings (after the PIN, when one is set), hides them
 * again, and leaves kiosk mode. Writes the store's kiosk slice; no DOM, so tests drive it with a
 * hand-run clock.
 */
export class KioskGate {
  private lockedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: MirrorStore,
    private readonly changeSettings: (patch: SettingsPatch) => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The chord was pressed: reveals the settings (or asks for the PIN first); pressed again, hides them. */
  chord(): void {
    const state = this.store.getState();
    if (!selectKioskActive(state)) return;
    if (state.kioskRevealed || state.kioskPinOpen) {
      this.hide();
      return;
    }
    if (state.settings?.kiosk.pin == null) state.setKioskRevealed(true);
    else state.setKioskPinOpen(true);
  }

  /**
   * Checks a PIN from the pad. A wrong one reveals nothing and locks the pad for
   * {@link WRONG_PIN_DELAY_MS}; PINs typed meanwhile are not even compared.
   */
  submitPin(pin: string): PinOutcome {
    const state = this.store.getState();
    if (this.now() < this.lockedUntil) return 'locked';
    if (pin !== state.settings?.kiosk.pin) {
      this.lockedUntil = this.now() + WRONG_PIN_DELAY_MS;
      return 'wrong';
    }
    state.setKioskPinOpen(false);
    state.setKioskRevealed(true);
    return 'revealed';
  }

  /** Whether the pad is locked after a wrong PIN. */
  get pinLocked(): boolean {
    return this.now() < this.lockedUntil;
  }

  /** Back to the picture alone. */
  hide(): void {
    const state = this.store.getState();
    state.setKioskPinOpen(false);
    state.setKioskRevealed(false);
  }

  /** Turns kiosk mode on: saved, and the picture alone from now on. */
  async enter(): Promise<void> {
    const state = this.store.getState();
    state.setKioskLeft(false);
    state.setKioskRevealed(false);
    await this.changeSettings({ kiosk: { enabled: true } });
  }

  /**
   * Leaves kiosk mode from the revealed settings: for this page, and saved off. Saved even when only
   * the address asked for it (the setting stays off then): the app learns from it that the person
   * left the kiosk its `--kiosk` started, and gives the window back.
   */
  async leave(): Promise<void> {
    this.hide();
    this.store.getState().setKioskLeft(true);
    await this.changeSettings({ kiosk: { enabled: false } });
  }
}
