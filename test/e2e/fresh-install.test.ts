/**
 * A fresh install, as a newcomer or a workshop laptop has it: `stylemirror serve` with no flags, an
 * empty STYLEMIRROR_HOME (no settings, no library), nothing beside the checkout. The page must open
 * on a live mirror painted with a bundled style, and neither the page (every request and WebSocket it
 * opens is recorded) nor the server and its engine thread (a preload refuses and records non-loopback
 * connections and lookups) may reach the network. Chromium itself is pointed at a proxy that refuses
 * everything, so that nothing leaves the machine whatever asks: its own background requests
 * (component updates, accounts) are the test browser's, not the mirror's, and are not asserted on.
 * Screenshot: test-results/e2e/fresh-install.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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
import { startRefusingProxy, type RefusingProxy } from '../support/refusing-proxy.js';
import { REPO_ROOT, FAKE_CAMERA, ARTIFACTS } from '../support/e2e-paths.js';

interface MirrorStats {
  readonly displayedFrames: number;
  readonly currentModelId: string | null;
}

const ready = chromiumAvailable() && existsSync(FAKE_CAMERA);
if (!ready) {
  console.warn(
    `Chromium (${CHROMIUM_PATH}) or the fake camera (${FAKE_CAMERA}) is missing: skipping the fresh-install test.`,
  );
}

(ready ? describe : describe.skip)('a fresh install, offline', () => {
  let home: string;
  let outboundLog: string;
  let serve: ServeChild;
  let proxy: RefusingProxy;
  let browser: Browser;
  let page: Page;
  /** Every URL the page asked for: documents, scripts, images, fetches, WebSockets. */
  const pageRequests: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    home = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-fresh-'));
    outboundLog = path.join(home, 'outbound.jsonl');
    serve = await startServeChild({
      home,
      nodeArgs: ['--import', path.join(REPO_ROOT, 'test/support/record-outbound.mjs')],
      env: { STYLEMIRROR_OUTBOUND_LOG: outboundLog },
    });
    const url = serve.url;

    proxy = await startRefusingProxy();
    browser = await launchWithFakeCamera(FAKE_CAMERA, [`--proxy-server=${proxy.url}`]);
    page = await openCameraPage(browser, url);
    page.on('request', (request) => pageRequests.push(request.url()));
    page.on('websocket', (socket) => pageRequests.push(socket.url()));
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    serve?.child.kill('SIGTERM');
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  function stats(): Promise<MirrorStats | undefined> {
    return page.evaluate(() => (globalThis as { __styleMirrorStats?: MirrorStats }).__styleMirrorStats);
  }

  it('opens on a live mirror painted with a bundled style, with no flags and nothing saved', async () => {
    await page.waitForFunction(
      () =>
        ((globalThis as { __styleMirrorStats?: MirrorStats }).__styleMirrorStats?.displayedFrames ?? 0) >= 3,
      undefined,
      { timeout: 120_000 },
    );
    const first = (await stats())!;
    expect(first.currentModelId).toMatch(/^bundled:/);
    await page.waitForFunction(
      (seen: number) =>
        ((globalThis as { __styleMirrorStats?: MirrorStats }).__styleMirrorStats?.displayedFrames ?? 0) >=
        seen + 3,
      first.displayedFrames,
      { timeout: 60_000 },
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'fresh-install.png') });
  });

  it('asked nothing of the network: not the page, not the server, not its engine', async () => {
    // Let the page settle into its steady state (thumbnails, settings saves) before looking.
    await page.waitForTimeout(2_000);
    expect(pageRequests.length).toBeGreaterThan(3);
    const offMachine = pageRequests.filter((url) => !/^(https?|wss?):\/\/127\.0\.0\.1:\d+\//.test(url));
    expect(offMachine.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
    const outbound = existsSync(outboundLog) ? (await readFile(outboundLog, 'utf8')).trim() : '';
    expect(outbound).toBe('');
    // The recorder really ran in the server and in its engine thread (else the check above proves nothing).
    const loaded = (await readFile(`${outboundLog}.loaded`, 'utf8')).trim().split('\n');
    expect(
      new Set(loaded.map((line) => (JSON.parse(line) as { thread: number }).thread)).size,
    ).toBeGreaterThanOrEqual(2);
  });
});
