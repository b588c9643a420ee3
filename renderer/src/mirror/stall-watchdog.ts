import type { Timers } from '../lib/timers.js';
import type { StalledStage } from '../store/recovery-slice.js';

/** No new painted frame for this long, where one was due, is a stall. */
export const STALL_MS = 5000;
/** How often the watchdog looks. */
export const STALL_CHECK_MS = 1000;
/**
 * An engine call counts as stalled only after this many of the engine's recent frame times (when
 * that is longer than the stall period): a slow backend (seconds per frame) is slow, not stuck.
 */
export const SLOW_FRAME_FACTOR = 3;

/** What the frame pump has done lately, in `now()`'s milliseconds. */
export interface PumpProgress {
  /** When the newest camera frame arrived; null before the first. */
  readonly lastCameraFrameAt: number | null;
  /** When the newest painted frame was shown; null before the first. */
  readonly lastShownAt: number | null;
  /** Frames sent to the engine and not answered yet. */
  readonly framesInFlight: number;
  /** The engine's recent time per frame, or null before its first answer. */
  readonly engineMs: number | null;
}

export interface StallWatchdogOptions {
  readonly progress: () => PumpProgress;
  /**
   * Whether a painted frame is due at all: the camera is live, a style is loaded and not switching,
   * the mirror is not resting (a still scene legitimately sends nothing), the engine is not already
   * recovering (the supervisor restarts it on its own), the page is visible.
   */
  readonly framesDue: () => boolean;
  /** Camera frames stopped arriving: reopen the camera stream. */
  readonly restartCamera: () => void;
  /** Frames went out and no answer came: give up on them so the engine's recovery can run. */
  readonly abandonEngineCalls: () => void;
  /** A stage was restarted (counted in the store for the status document). */
  readonly restarted: (stage: StalledStage) => void;
  readonly timers: Timers;
  readonly now: () => number;
  readonly stallMs?: number;
  readonly checkEveryMs?: number;
}

/**
 * Notices when no new frame has been shown for {@link STALL_MS} while one was due, and restarts the
 * stage that stalled: the camera stream when its frames stopped coming, else the engine call that
 * never returned. After a restart it gives that stage another full period before acting again.
 */
export class StallWatchdog {
  private readonly stallMs: number;
  private readonly checkEveryMs: number;
  private timer: unknown;
  /** Since when frames have been due without a break (or since the last restart); null while not due. */
  private dueSince: number | null = null;

  constructor(private readonly options: StallWatchdogOptions) {
    this.stallMs = options.stallMs ?? STALL_MS;
    this.checkEveryMs = options.checkEveryMs ?? STALL_CHECK_MS;
  }

  start(): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.check();
      this.timer = this.options.timers.setTimeout(tick, this.checkEveryMs);
    };
    this.timer = this.options.timers.setTimeout(tick, this.checkEveryMs);
  }

  stop(): void {
    this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.dueSince = null;
  }

  /** One look; the timer calls it every {@link STALL_CHECK_MS}. Returns the stage restarted, if any. */
  check(): StalledStage | null {
    const { options } = this;
    const now = options.now();
    if (!options.framesDue()) {
      this.dueSince = null;
      return null;
    }
    this.dueSince ??= now;
    const progress = options.progress();
    const unshownFor = now - Math.max(this.dueSince, progress.lastShownAt ?? Number.NEGATIVE_INFINITY);
    if (unshownFor < this.stallMs) return null;

    const cameraQuietFor =
      now - Math.max(this.dueSince, progress.lastCameraFrameAt ?? Number.NEGATIVE_INFINITY);
    const engineCallLimit = Math.max(this.stallMs, SLOW_FRAME_FACTOR * (progress.engineMs ?? 0));
    let stage: StalledStage | null = null;
    if (cameraQuietFor >= this.stallMs) {
      stage = 'camera';
      options.restartCamera();
    } else if (progress.framesInFlight > 0 && unshownFor >= engineCallLimit) {
      stage = 'pump';
      options.abandonEngineCalls();
    } else if (progress.framesInFlight > 0) {
      return null; // A slow engine, still within its own pace: look again later.
    }
    // Either way, the next verdict waits for another full period.
    this.dueSince = now;
    if (stage !== null) options.restarted(stage);
    return stage;
  }
}
