/**
 * Kiosk mode and the recovery screens end to end, in browser mode: the real server (in this process)
 * over a supervised engine worker that can be made to hang (test/support/faulty-engine-worker.mjs),
 * the built page in headless Chromium, the fake camera playing the fox video. The camera is made to
 * vanish from the page (its track ends and getUserMedia finds no camera until it is back), the engine
 * is made to hang; each time the page must say so over the dimmed last picture, then paint live
 * frames again by itself. Saves screenshots to test-results/e2e/. Needs `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../common/settings-schema.js';
import { writeSettingsFile } from '../../main/core/settings/settings-file-store.js';
import type { EngineLauncher, RunningEngine } from '../../main/engine/engine-launcher.js';
import { EngineSupervisor } from '../../main/engine/engine-supervisor.js';
import { workerThreadLauncher } from '../../main/engine/worker/worker-thread-launcher.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchWithFakeCamera,
  openCameraPage,
} from '../support/chromium.js';
import { REPO_ROOT, FAKE_CAMERA, RENDERER_DIR, ARTIFACTS } from '../support/e2e-paths.js';

const FAULTY_WORKER = new URL('../support/faulty-engine-worker.mjs', import.meta.url);
/** A hung frame is given up on after this long (the app's 15 s would only make the test slower). */
const HUNG_FRAME_MS = 3000;

/** The page's globals this test reads, through `globalThis` (this file compiles without the DOM types). */
interface PageGlobals {
  readonly __styleMirrorStats?: { readonly displayedFrames: number };
}

// Run in the page as plain JavaScript (this file compiles without the DOM types).
/** The camera goes away: getUserMedia finds none, and the playing track ends as on an unplug. */
const UNPLUG_CAMERA = `(() => {
  const media = navigator.mediaDevices;
  media.realGetUserMedia = media.getUserMedia.bind(media);
  media.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
  for (const track of document.querySelector('video').srcObject.getVideoTracks()) {
    track.stop();
    track.dispatchEvent(new Event('ended'));
  }
})()`;
/** The camera is plugged in again. */
const PLUG_CAMERA_BACK = `(() => {
  const media = navigator.mediaDevices;
  media.getUserMedia = media.realGetUserMedia;
})()`;
const APP_CURSOR = `getComputedStyle(document.querySelector('[data-testid="app"]')).cursor`;

if (!chromiumAvailable()) {
  console.warn(
    `Chromium is not installed at ${CHROMIUM_PATH}: skipping the kiosk and recovery end-to-end test.`,
  );
}

(chromiumAvailable() ? describe : describe.skip)('kiosk mode and recovery screens (browser mode)', () => {
  let temp: string;
  let server: BrowserServer;
  let browser: Browser;
  let page: Page;
  /** Every engine worker the supervisor started, newest last. */
  const engines: RunningEngine[] = [];

  beforeAll(async () => {
    const unbuilt = [path.join(RENDERER_DIR, 'index.html')].filter((f) => !existsSync(f));
    if (unbuilt.length > 0) throw new Error(`${unbuilt.join(', ')} missing: run \`npm run build\` first.`);
    await mkdir(ARTIFACTS, { recursive: true });
    temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-kiosk-e2e-'));
    const settingsFile = path.join(temp, 'settings.json');
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      processingSize: { width: 256, height: 192 },
      camera: { deviceId: null, width: 320, height: 240 },
      lastModelId: 'bundled:mathura',
    };
    writeSettingsFile(settingsFile, settings);
    const inner = workerThreadLauncher(FAULTY_WORKER);
    const launcher: EngineLauncher = {
      start(events) {
        const engine = inner.start(events);
        engines.push(engine);
        return engine;
      },
    };
    const engine = new EngineSupervisor(launcher, {
      deadlines: { stylize: HUNG_FRAME_MS },
      log: () => undefined,
    });
    engine.start();
    server = await startBrowserServer({
      rendererDir: RENDERER_DIR,
      settingsFile,
      snapshotsDir: path.join(temp, 'snapshots'),
      bundledModelsDir: path.join(REPO_ROOT, 'models'),
      engine,
    });
    browser = await launchWithFakeCamera(FAKE_CAMERA);
    page = await openCameraPage(browser, server.url);
    const kioskUrl = new URL(server.url);
    kioskUrl.searchParams.set('kiosk', '1');
    await page.goto(kioskUrl.href);
    await waitForFrames(3, 90_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  });

  async function displayedFrames(): Promise<number> {
    return page.evaluate(
      () => (globalThis as unknown as PageGlobals).__styleMirrorStats?.displayedFrames ?? 0,
    );
  }

  /** Waits until `count` more frames have been displayed. */
  async function waitForFrames(count: number, timeout = 60_000): Promise<void> {
    const target = (await displayedFrames().catch(() => 0)) + count;
    await page.waitForFunction(
      (n: number) => ((globalThis as unknown as PageGlobals).__styleMirrorStats?.displayedFrames ?? 0) >= n,
      target,
      { timeout },
    );
  }

  it('?kiosk=1 shows the painted picture alone: no controls, no HUD, no pointer', async () => {
    expect(await page.getByTestId('controls').count()).toBe(0);
    expect(await page.getByTestId('hud').count()).toBe(0);
    expect(await page.evaluate(APP_CURSOR)).toBe('none');
    // Browsers go full screen only on a click: the page says so until then.
    await expect.poll(() => page.getByTestId('kiosk-fullscreen').isVisible()).toBe(true);
    // Keys other than the chord are locked: H would show the HUD.
    await page.keyboard.press('h');
    expect(await page.getByTestId('hud').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'kiosk.png') });
  });

  it('camera unplugged: "camera lost" over the dimmed picture, then live frames again when it returns', async () => {
    await page.evaluate(UNPLUG_CAMERA);
    const lost = page.getByTestId('camera-lost');
    await expect.poll(() => lost.isVisible()).toBe(true);
    expect(await page.locator('.picture.stale').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'camera-lost.png') });

    // Still lost a while later: the retries keep failing, nothing shown passes for live.
    const framesWhileLost = await displayedFrames();
    await page.waitForTimeout(1500);
    expect(await lost.isVisible()).toBe(true);
    expect(await displayedFrames()).toBe(framesWhileLost);

    // Plugged in again: the next retry finds it, with no click.
    await page.evaluate(PLUG_CAMERA_BACK);
    await expect.poll(() => lost.isVisible(), { timeout: 30_000 }).toBe(false);
    await waitForFrames(3);
    expect(await page.locator('.picture.stale').count()).toBe(0);
  });

  it('engine hung: "Recovering…" over the dimmed last picture, then live frames again', async () => {
    await waitForFrames(2);
    // The next frame spins forever in the engine; the supervisor gives up on it and restarts the engine.
    engines.at(-1)!.post({ id: -1, method: 'hang-for-test' }, []);
    const recovering = page.getByTestId('recovering');
    await expect.poll(() => recovering.isVisible(), { timeout: 30_000, interval: 100 }).toBe(true);
    expect(await page.locator('.picture.stale').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'recovering.png') });

    await expect.poll(() => recovering.isVisible(), { timeout: 60_000 }).toBe(false);
    await waitForFrames(3);
    expect(engines.length).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.picture.stale').count()).toBe(0);
  });

  it('the chord reveals the settings; "Leave kiosk mode" brings the ordinary mirror back', async () => {
    await page.keyboard.press('Control+Shift+K');
    const leave = page.getByTestId('kiosk-leave');
    await expect.poll(() => leave.isVisible()).toBe(true);
    await leave.click();
    await expect.poll(() => page.getByTestId('kiosk-enter').isVisible()).toBe(true);
    expect(await page.getByTestId('app').evaluate((e) => e.classList.contains('kiosk'))).toBe(false);
    await expect.poll(() => page.getByTestId('hud').isVisible()).toBe(true);
  });
});
