/**
 * The real app in the real Electron, driven by Playwright: the window opens on app://renderer, the
 * page is sandboxed, the engine runs in its utility process, and the mirror paints a fake camera's
 * frames. Runs only where the Electron binary is installed (the `electron` package downloads it on
 * install; offline machines have none), and needs `npm run build` first (`npm test` does).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_METHODS } from '../../common/control-channels.js';
import { REPO_ROOT, FAKE_CAMERA } from '../support/e2e-paths.js';

const SHARED = path.resolve(REPO_ROOT, '../shared');
const MODELS = path.join(SHARED, 'models/ml5');
const SCREENSHOT = path.join(REPO_ROOT, 'test-results/electron-app.png');
const BUILT = ['dist/main/app/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html'];

/**
 * The app to drive: a packaged build's executable when STYLEMIRROR_ELECTRON_APP names one (`npm run
 * dist -- --dir`, then e.g. `out/packages/linux-unpacked/style-mirror`), else the Electron binary the
 * `electron` package installed, running this checkout; or why there is none.
 */
function electronBinary(): { path: string; packaged: boolean } | { missing: string } {
  const packaged = process.env.STYLEMIRROR_ELECTRON_APP;
  if (packaged !== undefined && packaged !== '') {
    return existsSync(packaged)
      ? { path: path.resolve(packaged), packaged: true }
      : { missing: `STYLEMIRROR_ELECTRON_APP=${packaged} does not exist` };
  }
  const pkg = path.join(REPO_ROOT, 'node_modules/electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(path.join(pkg, 'dist')) || !existsSync(pathFile)) {
    return {
      missing: `${path.join(pkg, 'dist')} does not exist (the electron package's download did not run here)`,
    };
  }
  const binary = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary, packaged: false } : { missing: `${binary} does not exist` };
}

const electron = electronBinary();
if ('missing' in electron) {
  console.warn(
    `Electron binary not installed: ${electron.missing}. Skipping the Electron app end-to-end test.`,
  );
}

/** What the renderer publishes for tests (see the renderer/e2e agreement). */
interface MirrorStats {
  displayedFrames: number;
  engineMs: number;
  currentModelId: string | null;
}

/** The page's globals, reached through `globalThis` because this file compiles without the DOM lib. */
interface PageGlobals {
  require?: unknown;
  process?: unknown;
  styleMirror?: object;
  __styleMirrorStats?: MirrorStats;
  open(url: string): unknown;
}

(('path' in electron ? describe : describe.skip) as typeof describe)('Style Mirror in Electron', () => {
  let app: ElectronApplication;
  let page: Page;
  let home: string;

  beforeAll(async () => {
    const packaged = 'path' in electron && electron.packaged;
    const unbuilt = BUILT.filter((f) => !existsSync(path.join(REPO_ROOT, f)));
    if (!packaged && unbuilt.length > 0) {
      throw new Error(`${unbuilt.join(', ')} missing: run \`npm run build\` first.`);
    }
    // Settings and snapshots go to a throwaway home, not the tester's own.
    home = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-e2e-'));
    await mkdir(path.join(home, 'config'));
    const args = [
      // A packaged app carries its own code; the Electron binary is pointed at this checkout.
      ...(packaged ? [] : [REPO_ROOT]),
      '--models',
      MODELS,
      // A camera that plays the fox video, granted by the app's own permission handler.
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${FAKE_CAMERA}`,
      // Test machines have no GPU: WebGL on SwiftShader, as in test/support/chromium.ts.
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ];
    // Chromium's OS sandbox cannot start as root in a container; the page stays sandboxed by Electron.
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      args.push('--ozone-platform=headless');
    }
    app = await _electron.launch({
      executablePath: 'path' in electron ? electron.path : undefined,
      args,
      cwd: REPO_ROOT,
      env: {
        ...(process.env as Record<string, string>),
        XDG_CONFIG_HOME: path.join(home, 'config'),
        HOME: home,
      },
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.close();
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  it('opens one window on app://renderer, with no Node in the page and only the named API', async () => {
    expect(page.url()).toBe('app://renderer/index.html');
    expect(app.windows()).toHaveLength(1);
    const exposed = await page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      return {
        require: typeof page.require,
        process: typeof page.process,
        api: Object.keys(page.styleMirror ?? {}).sort(),
      };
    });
    expect(exposed.require).toBe('undefined');
    expect(exposed.process).toBe('undefined');
    expect(exposed.api).toEqual(Object.values(CONTROL_METHODS).sort());
  });

  it('runs the engine in its own utility process', async () => {
    const services = await app.evaluate(({ app: electronApp }) =>
      electronApp.getAppMetrics().map((m) => m.serviceName ?? m.name ?? m.type),
    );
    expect(services).toContain('Style Mirror engine');
  });

  it("paints the fake camera in a painter's style, and shows it", async () => {
    await page.waitForFunction(
      () => ((globalThis as unknown as PageGlobals).__styleMirrorStats?.displayedFrames ?? 0) >= 10,
      undefined,
      { timeout: 120_000 },
    );
    const stats = await page.evaluate(() => (globalThis as unknown as PageGlobals).__styleMirrorStats!);
    expect(stats.currentModelId).not.toBeNull();
    expect(stats.engineMs).toBeGreaterThan(0);
    await expect(page.getByTestId('stylized-canvas').isVisible()).resolves.toBe(true);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('opens no new windows', async () => {
    const opened = await page.evaluate(
      () => (globalThis as unknown as PageGlobals).open('https://example.com/') === null,
    );
    expect(opened).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });
});
