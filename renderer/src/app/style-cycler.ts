import type { Settings } from '../../../common/settings-schema.js';
import { realTimers, type Timers } from '../lib/timers.js';
import type { MirrorState, MirrorStore } from '../store/mirror-store.js';
import type { ModelSwitcher } from './model-switcher.js';
import { PlaylistOrder, playableStyles } from './playlist.js';

export interface StyleCyclerOptions {
  readonly store: MirrorStore;
  readonly switcher: Pick<ModelSwitcher, 'select'>;
  readonly timers?: Timers;
  /** The clock the frame pump notes motion with (performance.now()). */
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * Styles that change by themselves: every `cycle.seconds` the next style of the playlist (in
 * sequence or shuffled), skipping styles that fail to load. A person switching styles by hand starts
 * the wait afresh. After `attract.afterSeconds` without motion in front of the camera, attract mode:
 * styles change every `attract.cycleSeconds` instead (`slower`, even when cycling is off: an empty
 * room is when the mirror shows what it can), or `attract.modelId` is shown and held (`style`); the
 * first motion ends it. Outside opening hours nothing changes. No DOM: the store says what happens,
 * the timers are injected.
 */
export class StyleCycler {
  private readonly store: MirrorStore;
  private readonly switcher: Pick<ModelSwitcher, 'select'>;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly order: PlaylistOrder;
  /** Styles that failed to load while cycling: skipped until the library changes. */
  private readonly unloadable = new Set<string>();
  private cycleTimer: unknown;
  private attractTimer: unknown;
  /** True while the cycler's own switch runs: the store changes it makes are not a person's. */
  private switching = false;
  private unsubscribe: (() => void) | undefined;

  constructor(options: StyleCyclerOptions) {
    this.store = options.store;
    this.switcher = options.switcher;
    this.timers = options.timers ?? realTimers;
    this.now = options.now ?? (() => performance.now());
    this.order = new PlaylistOrder(options.random);
  }

  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.store.subscribe((state, previous) => this.changed(state, previous));
    this.schedule();
    this.watchStillness();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.timers.clearTimeout(this.cycleTimer);
    this.timers.clearTimeout(this.attractTimer);
  }

  private changed(state: MirrorState, previous: MirrorState): void {
    if (state.models !== previous.models) {
      this.unloadable.clear();
      this.order.reset();
    }
    if (state.motionAt !== previous.motionAt && state.attracting) {
      state.setAttracting(false);
      this.schedule();
    }
    const cycleChanged = groupKey(state.settings) !== groupKey(previous.settings);
    if (cycleChanged && state.settings?.cycle.order !== previous.settings?.cycle.order) this.order.reset();
    const byHand =
      !this.switching &&
      (state.currentModelId !== previous.currentModelId || state.pendingModelId !== previous.pendingModelId);
    if (cycleChanged || byHand || state.closed !== previous.closed || state.models !== previous.models) {
      this.schedule();
    }
    if (cycleChanged || state.motionAt !== previous.motionAt) this.watchStillness();
  }

  /** Seconds until the next change of style, or null when styles hold. */
  private period(): number | null {
    const { settings, closed, attracting } = this.store.getState();
    if (settings === null || closed !== null) return null;
    if (attracting) return settings.attract.mode === 'slower' ? settings.attract.cycleSeconds : null;
    return settings.cycle.seconds;
  }

  /** (Re)starts the wait for the next style from now. */
  private schedule(): void {
    this.timers.clearTimeout(this.cycleTimer);
    this.cycleTimer = undefined;
    const seconds = this.period();
    if (seconds !== null) this.cycleTimer = this.timers.setTimeout(() => void this.advance(), seconds * 1000);
  }

  /** Switches to the next style that loads (at most one try per style), then waits again. */
  private async advance(): Promise<void> {
    const { settings, models } = this.store.getState();
    if (settings === null || models === null) return;
    const ids = models.map((m) => m.id);
    for (let tries = 0; tries < ids.length; tries++) {
      const styles = playableStyles(settings.cycle.playlist, ids, this.unloadable);
      const before = this.store.getState().currentModelId;
      const next = this.order.next(styles, before, settings.cycle.order);
      if (next === undefined || next === before) break;
      if (!(await this.switchTo(next))) continue;
      break;
    }
    this.schedule();
  }

  /** Switches to `id`; false when it failed to load (and is then skipped from now on). */
  private async switchTo(id: string): Promise<boolean> {
    const before = this.store.getState().currentModelId;
    if (before === id) return true;
    this.switching = true;
    try {
      await this.switcher.select(id, { announce: false });
    } finally {
      this.switching = false;
    }
    const after = this.store.getState().currentModelId;
    // Still the style before: the load failed (a person's switch meanwhile would show as another style).
    if (after === before) {
      this.unloadable.add(id);
      return false;
    }
    return true;
  }

  /** Enters attract mode once the camera has been still for `attract.afterSeconds`. */
  private watchStillness(): void {
    this.timers.clearTimeout(this.attractTimer);
    this.attractTimer = undefined;
    const { settings, motionAt, attracting } = this.store.getState();
    const afterSeconds = settings?.attract.afterSeconds ?? null;
    if (afterSeconds === null) {
      if (attracting) this.store.getState().setAttracting(false);
      return;
    }
    if (attracting) return;
    const waitMs = motionAt + afterSeconds * 1000 - this.now();
    if (waitMs > 0) {
      this.attractTimer = this.timers.setTimeout(() => this.watchStillness(), waitMs);
      return;
    }
    this.store.getState().setAttracting(true);
    this.schedule();
    const { attract } = settings!;
    const idle = attract.modelId;
    if (
      attract.mode === 'style' &&
      idle !== null &&
      this.store.getState().models?.some((m) => m.id === idle)
    ) {
      void this.switchTo(idle);
    }
  }
}

/** What the cycler's timing depends on in the settings, as one comparable string. */
function groupKey(settings: Settings | null): string {
  return settings === null ? '' : JSON.stringify([settings.cycle, settings.attract]);
}
