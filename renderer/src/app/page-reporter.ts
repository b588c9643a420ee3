import type { PageReport } from '../../../common/contract.js';
import type { MirrorApi } from '../../../common/mirror-api.js';
import type { Timers } from '../lib/timers.js';
import type { MirrorState } from '../store/mirror-state.js';
import type { MirrorStore } from '../store/mirror-store.js';

/** How often the page tells main what only it knows, for the remote control's status document. */
export const REPORT_INTERVAL_MS = 1000;

/** The page's report from its store, at `now` (the page's `performance.now()`). */
export function pageReport(state: MirrorState, now: number): PageReport {
  const { stats } = state;
  return {
    displayedFps: Math.min(1000, Math.max(0, stats.displayedFps)),
    newestFrameAgeMs: stats.lastDisplayedAt === null ? null : Math.max(0, now - stats.lastDisplayedAt),
    currentModelId: state.currentModelId,
    resting: stats.resting,
    cameraError: state.cameraError?.slice(0, 1000) ?? null,
  };
}

/**
 * Sends {@link pageReport} every {@link REPORT_INTERVAL_MS}, one at a time (a slow answer delays the
 * next report rather than piling them up). Returns the stop function.
 */
export function startPageReports(
  api: Pick<MirrorApi, 'reportPage'>,
  store: MirrorStore,
  timers: Timers,
  now: () => number,
): () => void {
  let stopped = false;
  let timer: unknown;
  const tick = async (): Promise<void> => {
    // A failed report (main busy, the socket reconnecting) is dropped: the next one says the same, newer.
    await api.reportPage(pageReport(store.getState(), now()));
    if (!stopped) timer = timers.setTimeout(() => void tick(), REPORT_INTERVAL_MS);
  };
  timer = timers.setTimeout(() => void tick(), REPORT_INTERVAL_MS);
  return () => {
    stopped = true;
    timers.clearTimeout(timer);
  };
}
