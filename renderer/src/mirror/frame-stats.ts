/**
 * What the mirror publishes about itself as `window.__styleMirrorStats` (the e2e tests read it) and
 * shows in the HUD. Updated on every displayed frame.
 */
export interface MirrorStats {
  /** Frames drawn since the mirror started. */
  readonly displayedFrames: number;
  /** When the newest frame was drawn (the page's `performance.now()`), null before the first: its age shows a stall. */
  readonly lastDisplayedAt: number | null;
  /** Frames drawn in the last second. */
  readonly displayedFps: number;
  /** The engine's own time for the last displayed frame (its `timings.totalMs`). */
  readonly engineMs: number;
  /** From taking the last displayed frame off the camera to drawing its result. */
  readonly latencyMs: number;
  /** Mean of `latencyMs` over the frames drawn in the last second (0 when none were). */
  readonly meanLatencyMs: number;
  /**
   * Sums over every frame drawn since the mirror started, of its latency and of its engine time: the
   * difference of two snapshots gives exact means over any span without sampling every frame.
   */
  readonly latencyTotalMs: number;
  readonly engineTotalMs: number;
  /** Frames handed to the engine. */
  readonly sent: number;
  /** Camera frames not sent because the engine was busy (or resting after a failure). */
  readonly dropped: number;
  /** Camera frames not sent because they showed nothing new (the mirror resting). */
  readonly rested: number;
  /** Whether the mirror is resting now: the camera sees a still scene and the painting shown stays. */
  readonly resting: boolean;
  readonly currentModelId: string | null;
}

export const EMPTY_STATS: MirrorStats = {
  displayedFrames: 0,
  lastDisplayedAt: null,
  displayedFps: 0,
  engineMs: 0,
  latencyMs: 0,
  meanLatencyMs: 0,
  latencyTotalMs: 0,
  engineTotalMs: 0,
  sent: 0,
  dropped: 0,
  rested: 0,
  resting: false,
  currentModelId: null,
};

/** The window the frame rate and mean latency are measured over. */
export const STATS_WINDOW_MS = 1000;

interface Displayed {
  readonly at: number;
  readonly latencyMs: number;
}

/** Counts displayed frames and their timings. Pure: every call takes the time from the caller. */
export class FrameStats {
  private recent: Displayed[] = [];
  private displayedFrames = 0;
  private lastDisplayedAt: number | null = null;
  private engineMs = 0;
  private latencyMs = 0;
  private latencyTotalMs = 0;
  private engineTotalMs = 0;

  /** A result was drawn at `displayedAt` for a frame captured at `capturedAt`. */
  recordDisplayed(capturedAt: number, displayedAt: number, engineMs: number): void {
    this.displayedFrames++;
    this.lastDisplayedAt = displayedAt;
    this.engineMs = engineMs;
    this.latencyMs = Math.max(0, displayedAt - capturedAt);
    this.latencyTotalMs += this.latencyMs;
    this.engineTotalMs += engineMs;
    this.recent.push({ at: displayedAt, latencyMs: this.latencyMs });
  }

  /** The numbers as of `now`; `counts` and the model come from the pump's parts and the store. */
  snapshot(
    now: number,
    counts: Pick<MirrorStats, 'sent' | 'dropped' | 'rested' | 'resting'>,
    currentModelId: string | null,
  ): MirrorStats {
    const since = now - STATS_WINDOW_MS;
    // Displays are recorded in time order: drop the expired ones from the front.
    const firstKept = this.recent.findIndex((d) => d.at > since);
    this.recent = firstKept === -1 ? [] : this.recent.slice(firstKept);
    const meanLatencyMs =
      this.recent.length === 0
        ? 0
        : this.recent.reduce((sum, d) => sum + d.latencyMs, 0) / this.recent.length;
    return {
      displayedFrames: this.displayedFrames,
      lastDisplayedAt: this.lastDisplayedAt,
      displayedFps: this.recent.length,
      engineMs: this.engineMs,
      latencyMs: this.latencyMs,
      meanLatencyMs,
      latencyTotalMs: this.latencyTotalMs,
      engineTotalMs: this.engineTotalMs,
      sent: counts.sent,
      dropped: counts.dropped,
      rested: counts.rested,
      resting: counts.resting,
      currentModelId,
    };
  }
}
