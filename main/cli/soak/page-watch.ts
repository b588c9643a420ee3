/**
 * What the soak reads off the page. The mirror publishes a fresh `window.__styleMirrorStats` on every
 * drawn frame (and four times a second for the HUD); a getter/setter pair around that property sees
 * each publication as it happens, so the soak knows the exact wait between any two drawn frames and
 * the first frame drawn in each new style, without polling the page (which would make it do work the
 * mirror never asks for). The page's own code is not changed: the property behaves as before.
 */
import type { HeadlessPage } from '../commands/headless-chromium.js';
import { GAP_RECORDED_MS } from './soak-csv.js';

/** A wait between two drawn frames, in the page's clock (`performance.now()` ms). */
export interface PageGap {
  readonly from: number;
  readonly to: number;
  /** The style on screen. */
  readonly style: string | null;
  /** The page said it was resting (holding a still scene's painting on purpose) while it waited. */
  readonly resting: boolean;
}

/** The first frame drawn with a new current style. */
export interface PageStyleShown {
  readonly style: string;
  readonly at: number;
}

export interface PageReading {
  /** The page's clock when it was read. */
  readonly now: number;
  readonly displayedFrames: number;
  readonly displayedFps: number;
  /** When the newest frame was drawn; null before the first. */
  readonly lastDisplayedAt: number | null;
  readonly style: string | null;
  /** The longest wait between two drawn frames that ended since the last reading; null when no frame was drawn. */
  readonly longestGapMs: number | null;
  /** Waits longer than GAP_RECORDED_MS that ended since the last reading. */
  readonly gaps: readonly PageGap[];
  readonly stylesShown: readonly PageStyleShown[];
  /** The HUD's backend line ("ort · cpu · CPU"), or null when the HUD does not show one. */
  readonly backend: string | null;
}

/** Installs the watcher (once per page load); true when it is in place. */
const INSTALL = `(() => {
  if (window.__soakWatch) return true;
  let stats = window.__styleMirrorStats;
  if (stats === undefined) return false;
  const watch = { longestGapMs: 0, gaps: [], stylesShown: [], drawnStyle: stats.currentModelId };
  window.__soakWatch = watch;
  Object.defineProperty(window, '__styleMirrorStats', {
    configurable: true,
    enumerable: true,
    get: () => stats,
    set: (next) => {
      const previous = stats;
      stats = next;
      const drawnAt = next?.lastDisplayedAt ?? null;
      // A publication without a new frame (the HUD's refresh, a model change) is not a frame.
      if (drawnAt === null || drawnAt === previous?.lastDisplayedAt) return;
      if (previous?.lastDisplayedAt != null) {
        const wait = drawnAt - previous.lastDisplayedAt;
        watch.longestGapMs = Math.max(watch.longestGapMs, wait);
        if (wait > ${GAP_RECORDED_MS}) {
          watch.gaps.push({
            from: previous.lastDisplayedAt,
            to: drawnAt,
            style: previous.currentModelId,
            resting: previous.resting === true,
          });
        }
      }
      if (next.currentModelId !== watch.drawnStyle && next.currentModelId !== null) {
        watch.stylesShown.push({ style: next.currentModelId, at: drawnAt });
      }
      watch.drawnStyle = next.currentModelId;
    },
  });
  return true;
})()`;

/** Reads the stats and takes what the watcher collected since the last reading. */
const READ = `(() => {
  const watch = window.__soakWatch;
  const stats = window.__styleMirrorStats;
  if (watch === undefined || stats === undefined) return null;
  const reading = {
    now: performance.now(),
    displayedFrames: stats.displayedFrames,
    displayedFps: stats.displayedFps,
    lastDisplayedAt: stats.lastDisplayedAt ?? null,
    style: stats.currentModelId,
    longestGapMs: watch.longestGapMs > 0 ? watch.longestGapMs : null,
    gaps: watch.gaps.splice(0),
    stylesShown: watch.stylesShown.splice(0),
    backend: document.querySelector('[data-testid="hud-backend"]')?.textContent ?? null,
  };
  watch.longestGapMs = 0;
  return reading;
})()`;

/** Reads the page; installs the watcher first where it is missing (the first time, or after a reload). */
export async function readPage(page: HeadlessPage): Promise<PageReading | null> {
  const reading = await page.evaluate<PageReading | null>(READ);
  if (reading !== null) return reading;
  await page.evaluate<boolean>(INSTALL);
  return page.evaluate<PageReading | null>(READ);
}

/** The page's clock now, for timing a key press against the frames. */
export function pageNow(page: HeadlessPage): Promise<number> {
  return page.evaluate<number>('performance.now()');
}
