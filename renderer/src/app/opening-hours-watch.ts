import { openingState } from '../../../common/opening-hours.js';
import { realTimers, type Timers } from '../lib/timers.js';
import type { MirrorStore } from '../store/mirror-store.js';

/**
 * The longest wait between two looks at the clock: a computer that slept, or a clock set by hand,
 * is noticed within this long rather than at a change computed from a time that no longer holds.
 */
export const OPENING_RECHECK_MS = 60_000;

/**
 * Keeps the store's `closed` in step with the opening hours: null while open (or when opening hours
 * are off), else how the closed mirror shows. Looks at the clock at each change of hours and at
 * the next opening or closing (at least every minute). The clock is injected for tests.
 */
export class OpeningHoursWatch {
  private timer: unknown;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: MirrorStore,
    private readonly timers: Timers = realTimers,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.store.subscribe((state, previous) => {
      if (state.settings?.openingHours !== previous.settings?.openingHours) this.check();
    });
    this.check();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.timers.clearTimeout(this.timer);
  }

  private check(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const hours = this.store.getState().settings?.openingHours;
    if (hours === undefined || !hours.enabled) {
      this.store.getState().setClosed(null);
      return;
    }
    const now = this.clock();
    const state = openingState(hours, now);
    this.store.getState().setClosed(state.open ? null : hours.closed);
    const untilChange = state.nextChange === null ? Infinity : state.nextChange.getTime() - now.getTime();
    this.timer = this.timers.setTimeout(() => this.check(), Math.min(untilChange, OPENING_RECHECK_MS));
  }
}
