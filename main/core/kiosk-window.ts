/**
 * Kiosk mode in the app, Electron-free: which display the window fills, what the window and the page
 * are told, and what follows a settings change (display sleep, start at login, leaving kiosk mode).
 * main/app/main.ts feeds it Electron's displays and applies what it says.
 */
import type { DisplayInfo } from '../../common/contract.js';
import type { Settings, SettingsUpdate } from '../../common/settings-schema.js';

export interface Rectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A display as Electron's `screen` describes it (the fields used here). */
export interface KioskDisplay {
  readonly id: number;
  readonly bounds: Rectangle;
  /** The system's name for it; may be empty. */
  readonly label?: string;
}

/** The displays connected now, and which is the primary one. */
export interface Displays {
  readonly all: readonly KioskDisplay[];
  readonly primary: KioskDisplay;
}

/** The displays as the settings panel offers them: a name a person recognises, and the size. */
export function displayChoices({ all, primary }: Displays): DisplayInfo[] {
  return all.map((display, index) => ({
    id: display.id,
    label: display.label?.trim() || `Display ${index + 1}`,
    width: display.bounds.width,
    height: display.bounds.height,
    primary: display.id === primary.id,
  }));
}

/** The display kiosk mode fills: the chosen one while it is connected, else the primary one. */
export function kioskDisplay(displayId: number | null, { all, primary }: Displays): KioskDisplay {
  return (displayId === null ? undefined : all.find((d) => d.id === displayId)) ?? primary;
}

/** BrowserWindow options kiosk mode sets over the usual ones: place and size, kiosk, full screen. */
export interface KioskWindowOptions extends Partial<Rectangle> {
  /** 0: the ordinary window's minimum size may exceed a small display. */
  readonly minWidth?: number;
  readonly minHeight?: number;
  readonly kiosk?: boolean;
  readonly fullscreen?: boolean;
}

/** How the main window opens. */
export interface KioskWindowPlan {
  /** Whether this run starts in kiosk mode. */
  readonly kiosk: boolean;
  /** Empty when not in kiosk mode. */
  readonly windowOptions: KioskWindowOptions;
  /** The page's address query: `?kiosk=1` tells the page, also when `--kiosk` overrides the setting. */
  readonly pageQuery: string;
  /** Said in the log: which display, and why not the chosen one. */
  readonly note: string | null;
}

/**
 * How the window opens for `kiosk` (the saved group), `override` (`--kiosk` on the command line:
 * true for this run, whatever is saved; null without it) and the displays connected now. The chosen
 * display when it is connected, else the primary one (a display unplugged since is no reason for a
 * black wall).
 */
export function kioskWindowPlan(
  kiosk: Settings['kiosk'],
  override: boolean | null,
  displays: readonly KioskDisplay[],
  primary: KioskDisplay,
): KioskWindowPlan {
  const on = override ?? kiosk.enabled;
  if (!on) return { kiosk: false, windowOptions: {}, pageQuery: '', note: null };
  const chosen = kiosk.displayId === null ? undefined : displays.find((d) => d.id === kiosk.displayId);
  const display = chosen ?? primary;
  const note =
    kiosk.displayId !== null && chosen === undefined
      ? `kiosk display ${kiosk.displayId} is not connected: using the primary display (${primary.id}).`
      : `kiosk mode on display ${display.id}.`;
  const { x, y, width, height } = display.bounds;
  return {
    kiosk: true,
    // Placed on the display first: Electron makes a window full screen on the display it is on.
    windowOptions: { x, y, width, height, minWidth: 0, minHeight: 0, kiosk: true, fullscreen: true },
    pageQuery: '?kiosk=1',
    note,
  };
}

/** What the app does when kiosk mode's state or settings change. */
export interface KioskEffects {
  /** Keeps the display awake (`powerSaveBlocker`) while kiosk mode runs, or lets it sleep again. */
  preventDisplaySleep(on: boolean): void;
  /** Makes the window a kiosk (full screen, no way out but the chord) or an ordinary window again. */
  setWindowKiosk(on: boolean): void;
  /** Starts the app at login, or not (`app.setLoginItemSettings`). */
  openAtLogin(on: boolean): void;
  /** The displays connected now. */
  displays(): Displays;
  /** Moves the kiosk window to fill `bounds` (another display). */
  placeOn(bounds: Rectangle): void;
}

/**
 * Kiosk mode while the app runs: starts as planned, then follows the settings. Turning kiosk mode on
 * or off in the settings (the page's "Kiosk mode" and "Leave kiosk mode") applies at once, also over
 * `--kiosk`: the person at the mirror decides.
 */
export class KioskRuntime {
  private on: boolean;

  constructor(
    plan: KioskWindowPlan,
    settings: Settings,
    private readonly effects: KioskEffects,
  ) {
    this.on = plan.kiosk;
    effects.preventDisplaySleep(this.on);
    effects.openAtLogin(settings.kiosk.startAtLogin);
  }

  /** Whether kiosk mode runs now. */
  get active(): boolean {
    return this.on;
  }

  /** A settings update was saved: `patch` as asked, `next` the whole settings after it. */
  updated(patch: SettingsUpdate, next: Settings, previous: Settings): void {
    if (patch.kiosk?.enabled !== undefined && next.kiosk.enabled !== this.on) {
      this.on = next.kiosk.enabled;
      this.effects.setWindowKiosk(this.on);
      this.effects.preventDisplaySleep(this.on);
    }
    if (next.kiosk.startAtLogin !== previous.kiosk.startAtLogin)
      this.effects.openAtLogin(next.kiosk.startAtLogin);
    // Another display chosen while kiosk mode runs: fill it now, not at the next start.
    if (this.on && next.kiosk.displayId !== previous.kiosk.displayId)
      this.effects.placeOn(kioskDisplay(next.kiosk.displayId, this.effects.displays()).bounds);
  }
}
