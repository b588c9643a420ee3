import type { MirrorApi } from '../../../common/mirror-api.js';
import { INT8_CALIBRATING_REASON } from '../../../common/engine-types.js';
import { realTimers, type Timers } from '../lib/timers.js';
import type { MirrorStore } from '../store/mirror-store.js';

/** How often the page asks while the engine calibrates (a calibration takes a few seconds). */
export const PRECISION_RECHECK_MS = 2_000;

/**
 * Keeps the HUD's precision current while the engine calibrates int8 in the background: the network
 * then switches itself from float32 to int8 (or gives up, saying why) with no load the page hears of.
 * While the store's engine status says it is calibrating, asks the engine for its status every
 * PRECISION_RECHECK_MS and takes the answer if it is still about the same model.
 */
export class PrecisionWatch {
  private timer: unknown;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly api: Pick<MirrorApi, 'engineStatus'>,
    private readonly store: MirrorStore,
    private readonly timers: Timers = realTimers,
  ) {}

  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.store.subscribe((state, previous) => {
      if (state.engine !== previous.engine) this.check();
    });
    this.check();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.store.getState().engine?.backend.precisionReason !== INT8_CALIBRATING_REASON) return;
    this.timer = this.timers.setTimeout(() => void this.refresh(), PRECISION_RECHECK_MS);
  }

  private async refresh(): Promise<void> {
    const asked = this.store.getState().engine;
    const status = await this.api.engineStatus();
    if (this.unsubscribe === undefined) return;
    const now = this.store.getState().engine;
    // A load that came meanwhile set a newer status, and its own check runs.
    if (now !== asked) return;
    if (status.ok && status.value !== null && status.value.modelId === asked?.modelId) {
      this.store.getState().setEngine(status.value);
    }
    // Again if still calibrating (a status the same as before changes nothing the store tells of).
    this.check();
  }
}
