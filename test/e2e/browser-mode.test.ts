/**
 * Browser mode end to end: the real server (in this process, real engine worker from the build), the
 * built page in headless Debian Chromium, and a fake camera playing the fox video. Asserts what a
 * person at the mirror would see, through the renderer/e2e agreement's test ids, keys and
 * `window.__styleMirrorStats`; saves screenshots to test-results/e2e/. Needs `npm run build` first
 * (`npm test` does); skipped, saying why, where Chromium is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../common/contract.js';
import { ModelLibrary } from '../../main/core/model-library.js';
import { writeSettingsFile } from '../../main/core/settings/settings-file-store.js';
import { DEFAULT_SETTINGS, type Settings } from '../../common/settings-schema.js';
import { createOrtBackend } from '../../main/engine/backends/ort/ort-backend.js';
import { readMl5Model } from '../../main/engine/model/ml5-model-reader.js';
import { stylizeFrame } from '../../main/engine/stylize.js';
import { startWorkerEngine } from '../../main/engine/worker/worker-thread-launcher.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import { ffprobePath } from '../../main/cli/video/ffmpeg.js';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchWithFakeCamera,
  openCameraPage,
} from '../support/chromium.js';
import { REPO_ROOT, FAKE_CAMERA, RENDERER_DIR, BUILT_WORKER, ARTIFACTS } from '../support/e2e-paths.js';

const SHARED = path.resolve(REPO_ROOT, '../shared');
const MODELS = path.join(SHARED, 'models/ml5');
/** Small enough for a 2-core CPU to keep several frames a second coming. */
const PROCESSING = { width: 256, height: 192 };
const FIRST_MODEL = 'user:udnie';

/** What the page publishes for tests (the renderer/e2e agreement). */
interface MirrorStats {
  readonly displayedFrames: number;
  readonly displayedFps: number;
  readonly currentModelId: string | null;
}

/** The page's globals, reached through `globalThis`: this file compiles without the DOM types. */
interface PageGlobals {
  readonly __styleMirrorStats?: MirrorStats;
  /** The camera's latest frames at the processing size, newest last (see `recordCamera`). */
  __e2eCameraFrames?: Uint8ClampedArray[];
  readonly document: {
    querySelector(selector: string): unknown;
    createElement(tag: 'canvas'): PageCanvas;
  };
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
    options?: { willReadFrequently: boolean },
  ): {
    imageSmoothingEnabled: boolean;
    imageSmoothingQuality: string;
    drawImage(image: unknown, x: number, y: number, w: number, h: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  } | null;
}
interface PageVideo {
  requestVideoFrameCallback(callback: () => void): number;
}

/**
 * The stylized canvas, and the camera frame it was made from: of the camera's last few frames, the
 * one closest to the picture (the picture lags the camera by the engine's time, and the fox moves).
 */
interface Pictures {
  /** The canvas's size; `shown` and `camera` hold every second pixel of each row and column. */
  readonly width: number;
  readonly height: number;
  readonly shown: number[];
  readonly camera: number[];
  /** The same camera frame at full processing size, RGBA, to stylize in the test with a known model. */
  readonly cameraFull: number[];
}

if (!chromiumAvailable()) {
  console.warn(`Chromium is not installed at ${CHROMIUM_PATH}: skipping the browser-mode end-to-end test.`);
}

(chromiumAvailable() ? describe : describe.skip)('Style Mirror in a browser (browser mode)', () => {
  let temp: string;
  let snapshotsDir: string;
  let server: BrowserServer;
  let browser: Browser;
  let page: Page;
  let models: ModelInfo[];
  /** How different the stylized picture is from the camera at full strength (from the first test). */
  let stylizedDiff: number;

  beforeAll(async () => {
    const unbuilt = [path.join(RENDERER_DIR, 'index.html'), BUILT_WORKER].filter((f) => !existsSync(f));
    if (unbuilt.length > 0) throw new Error(`${unbuilt.join(', ')} missing: run \`npm run build\` first.`);
    await mkdir(ARTIFACTS, { recursive: true });
    temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-browser-e2e-'));
    snapshotsDir = path.join(temp, 'snapshots');
    const settingsFile = path.join(temp, 'settings.json');
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      processingSize: PROCESSING,
      camera: { deviceId: null, width: 320, height: 240 },
      // Unmirrored, so the camera's picture can be compared with the canvas pixel for pixel.
      mirror: false,
      lastModelId: FIRST_MODEL,
      // A cut: the pictures compared right after a switch must be the new style's alone (the fade
      // is style-cycle.test.ts's).
      cycle: { ...DEFAULT_SETTINGS.cycle, crossfadeMs: 0 },
    };
    writeSettingsFile(settingsFile, settings);
    // The order the page lists them in: the same library, the same folders.
    models = await new ModelLibrary({
      bundledDir: path.join(REPO_ROOT, 'models'),
      userDir: () => MODELS,
    }).list();

    server = await startBrowserServer({
      rendererDir: RENDERER_DIR,
      settingsFile,
      snapshotsDir,
      bundledModelsDir: path.join(REPO_ROOT, 'models'),
      modelsDir: MODELS,
      engine: startWorkerEngine({ script: pathToFileURL(BUILT_WORKER) }),
    });
    browser = await launchWithFakeCamera(FAKE_CAMERA);
    page = await openCameraPage(browser, server.url);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(server.url);
    try {
      await waitForFrames(3, 90_000);
    } catch (error) {
      throw new Error(
        `No stylized frames on the page (${(error as Error).message}); page errors: ${problems.join('; ')}`,
      );
    }
    // From here on, every camera frame is kept for comparisons (see `pictures`).
    await recordCamera();
    await waitForFrames(2);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  });

  function stats(): Promise<MirrorStats> {
    return page.evaluate(() => (globalThis as unknown as PageGlobals).__styleMirrorStats!);
  }

  /** Waits until `count` more frames have been displayed. */
  async function waitForFrames(count: number, timeout = 60_000): Promise<void> {
    const seen = (await stats().catch(() => undefined))?.displayedFrames ?? 0;
    await page.waitForFunction(
      (target: number) =>
        ((globalThis as unknown as PageGlobals).__styleMirrorStats?.displayedFrames ?? 0) >= target,
      seen + count,
      { timeout },
    );
  }

  /** Waits until the page shows `modelId`, and a few frames painted with it. */
  async function waitForModel(modelId: string): Promise<void> {
    await page.waitForFunction(
      (id: string) => (globalThis as unknown as PageGlobals).__styleMirrorStats?.currentModelId === id,
      modelId,
      { timeout: 60_000 },
    );
    await waitForFrames(3);
  }

  /**
   * Keeps the camera's last frames in the page, drawn at the processing size the way the renderer
   * captures them (unmirrored here), so a picture can be matched with the frame it was made from.
   */
  async function recordCamera(): Promise<void> {
    await page.evaluate((size: { width: number; height: number }) => {
      const page = globalThis as unknown as PageGlobals;
      const video = page.document.querySelector('video') as PageVideo;
      const canvas = page.document.createElement('canvas');
      canvas.width = size.width;
      canvas.height = size.height;
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'medium';
      page.__e2eCameraFrames = [];
      const record = (): void => {
        // The camera is 4:3 like the processing size: no crop.
        context.drawImage(video, 0, 0, size.width, size.height);
        const frames = page.__e2eCameraFrames!;
        frames.push(context.getImageData(0, 0, size.width, size.height).data);
        // Two seconds of camera: the frame on screen must still be here when latency runs long on a
        // loaded 2-core machine (0.8 s was not always enough).
        if (frames.length > 30) frames.shift();
        video.requestVideoFrameCallback(record);
      };
      video.requestVideoFrameCallback(record);
    }, PROCESSING);
  }

  /**
   * The picture and its camera frame, every second pixel each way: enough to compare, and a quarter
   * of the data to carry out of the page, whose main thread the mirror needs.
   */
  function pictures(): Promise<Pictures> {
    return page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      const canvas = page.document.querySelector('[data-testid="stylized-canvas"]') as PageCanvas;
      const { width, height } = canvas;
      const shown = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
      const difference = (frame: Uint8ClampedArray): number => {
        let sum = 0;
        for (let i = 0; i < shown.length; i += 4) {
          sum += Math.abs(shown[i]! - frame[i]!) + Math.abs(shown[i + 1]! - frame[i + 1]!);
          sum += Math.abs(shown[i + 2]! - frame[i + 2]!);
        }
        return sum;
      };
      const frames = page.__e2eCameraFrames ?? [];
      const scores = frames.map(difference);
      const closest = frames[scores.indexOf(Math.min(...scores))] ?? new Uint8ClampedArray(shown.length);
      const sample = (data: Uint8ClampedArray): number[] => {
        const out: number[] = [];
        for (let y = 0; y < height; y += 2) {
          for (let x = 0; x < width; x += 2)
            out.push(...data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
        }
        return out;
      };
      return {
        width,
        height,
        shown: sample(shown),
        camera: sample(closest),
        cameraFull: Array.from(closest),
      };
    });
  }

  it('paints stylized frames: clearly unlike the camera, and changing over time', async () => {
    const first = await pictures();
    await waitForFrames(3);
    const later = await pictures();
    expect([first.width, first.height]).toEqual([PROCESSING.width, PROCESSING.height]);
    stylizedDiff = meanRgbDiff(first.shown, first.camera);
    expect(stylizedDiff).toBeGreaterThan(25);
    expect(meanRgbDiff(first.shown, later.shown)).toBeGreaterThan(1);
    expect((await stats()).currentModelId).toBe(FIRST_MODEL);
    // Let the HUD's one-second numbers recover from the reading above before taking the picture.
    await waitForFrames(4);
    await page.screenshot({ path: path.join(ARTIFACTS, 'mirror.png') });
  });

  it('shows fps and the backend in the HUD', async () => {
    const hud = page.getByTestId('hud');
    await expect.poll(() => hud.isVisible()).toBe(true);
    await expect
      .poll(async () => parseFloat((await page.getByTestId('hud-fps').textContent()) ?? ''))
      .toBeGreaterThan(0);
    expect(await page.getByTestId('hud-backend').textContent()).toMatch(/^(ort|tfjs) · \S+ · \S+/);
    expect(await page.getByTestId('hud-engine-ms').textContent()).toMatch(/^\d+ ms$/);
    await hud.screenshot({ path: path.join(ARTIFACTS, 'hud.png') });
  });

  it('runs the precision chosen in the settings panel, and the HUD says which and why', async () => {
    const precision = page.getByTestId('hud-precision');
    // The settings say auto: the HUD says what auto chose on this machine.
    await expect.poll(() => precision.textContent()).toMatch(/^(int8|fp32) · auto: /);
    try {
      for (const [choice, shown] of [
        ['fp32', /^fp32 · float32 as asked$/],
        ['int8', /^int8 · int8 as asked; int8 is \d+\.\d dB PSNR against float32/],
      ] as const) {
        await page.mouse.move(480, 320);
        await page.getByTestId('precision-select').selectOption(choice);
        await expect.poll(() => precision.textContent(), { timeout: 60_000 }).toMatch(shown);
        await waitForFrames(3);
      }
      await page.getByTestId('hud').screenshot({ path: path.join(ARTIFACTS, 'hud-int8.png') });
    } finally {
      await page.mouse.move(480, 320);
      await page.getByTestId('precision-select').selectOption('auto');
      await expect.poll(() => precision.textContent(), { timeout: 60_000 }).toMatch(/ · auto: /);
    }
  });

  it('switches to the next style with ArrowRight: name shown, picture and stats follow', async () => {
    const before = await pictures();
    const index = models.findIndex((m) => m.id === FIRST_MODEL);
    const next = models[(index + 1) % models.length]!;
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('model-name-toast').textContent()).toBe(next.name);
    await waitForModel(next.id);
    const after = await pictures();
    expect(meanRgbDiff(before.shown, after.shown)).toBeGreaterThan(15);
    // Painted by the new style, not the old one with the fox moved: paint the page's own camera frame
    // with both models here, and the picture on screen must be nearer the new model's painting.
    const nearNew = meanRgbDiff(after.shown, await paintedBy(next.id, after));
    const nearOld = meanRgbDiff(after.shown, await paintedBy(FIRST_MODEL, after));
    expect(nearNew).toBeLessThan(nearOld * 0.8);
  });

  it('picks style N with the digit N', async () => {
    const second = models[1]!;
    await page.keyboard.press('2');
    await expect.poll(() => page.getByTestId('model-name-toast').textContent()).toBe(second.name);
    await waitForModel(second.id);
  });

  it('opens the picker with p: one tile per style, then closes it', async () => {
    await page.keyboard.press('p');
    const picker = page.getByTestId('model-picker');
    await expect.poll(() => picker.isVisible()).toBe(true);
    const tiles = page.getByTestId('model-tile');
    const ids = await tiles.evaluateAll((els) =>
      els.map((el) => (el as unknown as { dataset: { modelId: string } }).dataset.modelId),
    );
    expect(ids).toEqual(models.map((m) => m.id));
    // Thumbnails are painted one by one by the engine, between live frames.
    await expect
      .poll(() => page.locator('[data-testid="model-tile"] img').count(), { timeout: 90_000 })
      .toBe(models.length);
    await page.screenshot({ path: path.join(ARTIFACTS, 'model-picker.png') });
    await page.keyboard.press('p');
    await expect.poll(() => picker.isVisible()).toBe(false);
  });

  it('shows the camera itself at strength 0', async () => {
    await page.mouse.move(480, 320);
    await page.getByTestId('strength-slider').fill('0');
    try {
      await waitForFrames(4);
      // Polled: right after the picker, the engine is still painting thumbnails between frames, and a
      // frame can reach the screen later than the two seconds of camera kept for comparison.
      await expect
        .poll(
          async () => {
            const now = await pictures();
            return meanRgbDiff(now.shown, now.camera);
          },
          { timeout: 20_000 },
        )
        .toBeLessThan(Math.min(3, stylizedDiff / 10));
    } finally {
      // Put the style back even if the check failed, so the next test starts from the full style.
      await page.getByTestId('strength-slider').fill('1');
      await waitForFrames(3);
    }
  });

  it('shows the camera on the left half and the painting on the right in split view', async () => {
    await page.mouse.move(480, 320);
    await page.getByTestId('split-view-toggle').click();
    await waitForFrames(4);
    const now = await pictures();
    const left = half(now, 'left');
    const right = half(now, 'right');
    expect(meanRgbDiff(left.shown, left.camera)).toBeLessThan(meanRgbDiff(right.shown, right.camera) / 2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'split-view.png') });
    await page.getByTestId('split-view-toggle').click();
    await waitForFrames(2);
  });

  it('saves a PNG of the picture into the snapshots folder with the snapshot button', async () => {
    await page.mouse.move(480, 320);
    await page.getByTestId('snapshot-button').click();
    const toast = page.getByTestId('snapshot-toast');
    await expect.poll(() => toast.textContent()).toContain(snapshotsDir);
    const files = await readdir(snapshotsDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.png$/);
    expect(await toast.textContent()).toContain(files[0]);
    const meta = await sharp(path.join(snapshotsDir, files[0]!)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', PROCESSING.width, PROCESSING.height]);
  });

  it('records the mirror with R: a visible indicator, then a WebM download that plays for as long as it ran', async () => {
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await page.keyboard.press('r');
    const indicator = page.getByTestId('recording-indicator');
    await expect.poll(() => indicator.isVisible()).toBe(true);
    const started = Date.now();
    await waitForFrames(3);
    await page.waitForTimeout(Math.max(0, 3_000 - (Date.now() - started)));
    await page.screenshot({ path: path.join(ARTIFACTS, 'recording.png') });
    await page.keyboard.press('r');
    const seconds = (Date.now() - started) / 1000;
    const file = path.join(temp, 'recording.webm');
    await (await download).saveAs(file);
    await expect.poll(() => indicator.isVisible()).toBe(false);

    const probe = await new Promise<{ duration: number; frames: number; codec: string }>(
      (resolve, reject) => {
        execFile(
          ffprobePath(),
          [
            '-v',
            'error',
            '-count_frames',
            '-show_entries',
            'stream=codec_name,nb_read_frames:format=duration',
            '-of',
            'json',
            file,
          ],
          (error, stdout) => {
            if (error) reject(error);
            const json = JSON.parse(stdout) as {
              streams: { codec_name: string; nb_read_frames: string }[];
              format: { duration: string };
            };
            resolve({
              duration: Number(json.format.duration),
              frames: Number(json.streams[0]!.nb_read_frames),
              codec: json.streams[0]!.codec_name,
            });
          },
        );
      },
    );
    expect(['vp8', 'vp9']).toContain(probe.codec);
    expect(probe.frames).toBeGreaterThan(3);
    // The duration written into the file is the time recorded, give or take the key presses' latency.
    expect(probe.duration).toBeGreaterThan(seconds - 1.5);
    expect(probe.duration).toBeLessThan(seconds + 1.5);
  });
});

/** Mean absolute difference of two RGBA pictures over their colour channels (0..255). */
/** `p.cameraFull` painted by a model of the test's library with the real engine, sampled like `p.shown`. */
async function paintedBy(modelId: string, p: Pictures): Promise<number[]> {
  const dir = path.join(MODELS, modelId.slice(modelId.indexOf(':') + 1));
  const network = await createOrtBackend({ provider: 'cpu' }).load(await readMl5Model(dir));
  try {
    const frame = {
      data: Uint8Array.from(p.cameraFull),
      width: p.width,
      height: p.height,
      channels: 4 as const,
    };
    const painted = (await stylizeFrame(network, frame)).frame.data;
    const sampled: number[] = [];
    for (let y = 0; y < p.height; y += 2) {
      for (let x = 0; x < p.width; x += 2)
        sampled.push(...painted.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4));
    }
    return sampled;
  } finally {
    await network.dispose();
  }
}

function meanRgbDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    sum += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
  }
  return sum / ((a.length / 4) * 3);
}

/** The left or right half of both (sampled) pictures, leaving out a few columns around the divider. */
function half(p: Pictures, side: 'left' | 'right'): { shown: number[]; camera: number[] } {
  const width = p.width / 2;
  const rows = p.height / 2;
  const margin = 4;
  const from = side === 'left' ? 0 : width / 2 + margin;
  const to = side === 'left' ? width / 2 - margin : width;
  const pick = (data: number[]): number[] => {
    const out: number[] = [];
    for (let y = 0; y < rows; y++) out.push(...data.slice((y * width + from) * 4, (y * width + to) * 4));
    return out;
  };
  return { shown: pick(p.shown), camera: pick(p.camera) };
}
