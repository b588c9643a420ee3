import type { MirrorStats } from './frame-stats.js';

declare global {
  interface Window {
    /** The mirror's live numbers, for the e2e tests and anyone curious in devtools. */
    __styleMirrorStats?: MirrorStats;
  }
}

/** Publishes `stats` as `window.__styleMirrorStats` (a fresh object each time, never mutated). */
export function publishStats(stats: MirrorStats): void {
  window.__styleMirrorStats = stats;
}
