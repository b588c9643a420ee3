/**
 * The style library in browser mode, end to end: a real `stylemirror serve --allow-imports` child
 * with its own empty STYLEMIRROR_HOME and `--packs-from` a local HTTP server serving the shared ml5
 * models, the built page in headless Chromium with the fox video as camera. A person adds udnie by
 * picking its folder, sees it paint at once, renames and deletes it, then downloads the ml5 classics
 * pack after reading its licence. Needs `npm run build` first. Screenshots in test-results/e2e/:
 * library-picker.png, library-importing.png (if the check was slow enough to catch),
 * library-added.png, library-confirm-delete.png, library-packs.png, library-pack-downloading.png,
 * library-pack-done.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServeChild, type ServeChild } from '../support/serve-child.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchWithFakeCamera,
  openCameraPage,
} from '../support/chromium.js';
import { startPackServer, type PackServer } from '../support/pack-server.js';
import { REPO_ROOT, FAKE_CAMERA, ARTIFACTS } from '../support/e2e-paths.js';

const SHARED = path.resolve(REPO_ROOT, '../shared');
const ML5_MODELS = path.join(SHARED, 'models/ml5');
const UDNIE = path.join(ML5_MODELS, 'udnie');
const BUILT_PAGE = path.join(REPO_ROOT, 'dist/renderer/index.html');

interface MirrorStats {
  readonly displayedFrames: number;
  readonly currentModelId: string | null;
}

const ready = chromiumAvailable() && existsSync(FAKE_CAMERA) && existsSync(UDNIE) && existsSync(BUILT_PAGE);
if (!ready) {
  console.warn(
    `Chromium (${CHROMIUM_PATH}), the shared models and video, or the built page (npm run build) is missing: skipping the library test.`,
  );
}

(ready ? describe : describe.skip)('the style library in browser mode', () => {
  let home: string;
  let serve: ServeChild;
  let packs: PackServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    home = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-library-'));
    packs = await startPackServer(ML5_MODELS);
    serve = await startServeChild({ home, args: ['--allow-imports', '--packs-from', packs.url] });
    const url = serve.url;

    browser = await launchWithFakeCamera(FAKE_CAMERA);
    page = await openCameraPage(browser, url, { width: 1100, height: 720 });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await packs?.close();
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  function stats(): Promise<MirrorStats> {
    return page.evaluate(
      () =>
        (globalThis as { __styleMirrorStats?: MirrorStats }).__styleMirrorStats ?? {
          displayedFrames: 0,
          currentModelId: null,
        },
    );
  }

  /** Waits until `count` more painted frames than now have reached the screen. */
  async function morePaintedFrames(count: number): Promise<void> {
    const seen = (await stats()).displayedFrames;
    await expect
      .poll(async () => (await stats()).displayedFrames, { timeout: 90_000 })
      .toBeGreaterThanOrEqual(seen + count);
  }

  const tile = (id: string) => page.locator(`.tile[data-model-id="${id}"]`);

  it('opens painting with a bundled style; the picker offers Add style and Get more styles', async () => {
    await expect
      .poll(async () => (await stats()).displayedFrames, { timeout: 120_000 })
      .toBeGreaterThanOrEqual(3);
    expect((await stats()).currentModelId).toMatch(/^bundled:/);
    await page.keyboard.press('p');
    await page.getByTestId('model-picker').waitFor();
    await page.getByTestId('add-style-folder').waitFor();
    await page.getByTestId('get-more-styles').waitFor();
    // Bundled styles can be neither renamed nor deleted.
    expect(await page.getByTestId('rename-style').count()).toBe(0);
    expect(await page.getByTestId('delete-style').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-picker.png') });
  });

  it('adds a style from a picked folder and paints with it at once', async () => {
    const before = (await stats()).currentModelId;
    await page.getByTestId('add-style-folder-input').setInputFiles(UDNIE);
    // The engine checks the model for a moment; catch the progress card if it is still up.
    const progress = page.getByTestId('import-progress');
    try {
      await progress.waitFor({ timeout: 3_000 });
      expect(await progress.textContent()).toContain('Adding udnie… checking the model');
      await page.screenshot({ path: path.join(ARTIFACTS, 'library-importing.png') });
    } catch {
      console.warn('The import was over before its progress card could be photographed.');
    }
    await expect.poll(async () => (await stats()).currentModelId, { timeout: 90_000 }).toBe('library:udnie');
    expect(before).not.toBe('library:udnie');
    await tile('library:udnie').waitFor();
    await morePaintedFrames(3);
    expect(await page.getByTestId('error-toast').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-added.png') });
  });

  it('says what is wrong with a folder that is not a model, and keeps painting', async () => {
    const broken = path.join(home, 'broken_style');
    await mkdir(broken);
    await writeFile(path.join(broken, 'manifest.json'), '<html>not a manifest</html>');
    await writeFile(path.join(broken, 'Variable'), new Uint8Array(64));
    await page.getByTestId('add-style-folder-input').setInputFiles(broken);
    await expect
      .poll(() => page.getByTestId('error-toast').allTextContents(), { timeout: 60_000 })
      .toContainEqual(expect.stringMatching(/^Could not add "broken_style": .*manifest\.json/));
    expect((await stats()).currentModelId).toBe('library:udnie');
    await morePaintedFrames(2);
  });

  it('renames the library style in place (Enter keeps, Escape gives up)', async () => {
    await tile('library:udnie').getByTestId('rename-style').click();
    const field = tile('library:udnie').getByTestId('rename-field');
    await field.fill('Never mind');
    await field.press('Escape');
    await expect.poll(() => tile('library:udnie').locator('.tile-name').textContent()).toBe('Udnie');
    // Escape in the field gave up the edit; it did not close the picker.
    expect(await page.getByTestId('model-picker').isVisible()).toBe(true);

    await tile('library:udnie').getByTestId('rename-style').click();
    await tile('library:udnie').getByTestId('rename-field').fill('Udnie, my copy');
    await tile('library:udnie').getByTestId('rename-field').press('Enter');
    await expect
      .poll(() => tile('library:udnie').locator('.tile-name').textContent(), { timeout: 20_000 })
      .toBe('Udnie, my copy');
  });

  it('deletes it after asking, naming it, and goes back to a bundled style', async () => {
    await tile('library:udnie').getByTestId('delete-style').click();
    const confirm = page.getByTestId('confirm-delete');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('Delete Udnie, my copy?');
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-confirm-delete.png') });
    await page.getByTestId('confirm-delete-button').click();
    await tile('library:udnie').waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(async () => (await stats()).currentModelId, { timeout: 90_000 }).toMatch(/^bundled:/);
    await morePaintedFrames(2);
  });

  it('downloads the ml5 classics pack after showing its licence, with progress, then lists its styles', async () => {
    await page.getByTestId('get-more-styles').first().click();
    const panel = page.getByTestId('packs-panel');
    await panel.waitFor();
    const licence = panel.getByTestId('pack-licence').first();
    await licence.waitFor();
    expect(await licence.textContent()).toMatch(/research use/i);
    expect(await licence.getByTestId('pack-download').textContent()).toBe('I understand — download');
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-packs.png') });

    await licence.getByTestId('pack-download').click();
    await panel.getByTestId('pack-progress').waitFor({ timeout: 20_000 });
    await expect
      .poll(() => panel.getByTestId('pack-progress').textContent(), { timeout: 60_000 })
      .toMatch(/Fetching .+ — [\d.]+ (KB|MB) of [\d.]+ MB/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-pack-downloading.png') });
    const outcome = panel.getByTestId('pack-outcome');
    await outcome.waitFor({ timeout: 300_000 });
    expect(await outcome.textContent()).toMatch(/^Done: added \d+ styles\.$/);
    await expect
      .poll(() => page.getByTestId('info-toast').allTextContents(), { timeout: 20_000 })
      .toContainEqual(expect.stringMatching(/^Added \d+ styles from ml5 classics: /));
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-pack-done.png') });
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await page.locator('.tile[data-model-id^="library:"]').count()).toBeGreaterThan(1);
    expect(
      await page.locator('.tile[data-model-id^="library:"] [data-testid="licence-badge"]').count(),
    ).toBeGreaterThan(1);
  });
});
