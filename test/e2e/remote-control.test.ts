/**
 * The remote control end to end: the built `stylemirror serve --control-port 0 --osc-port 0` in its
 * own process, the built page in headless Chromium with the fake camera (the fox video), and the
 * verbs sent as a gallery's script would: HTTP with fetch, OSC with node-osc's client. Asserts what
 * the page shows (`window.__styleMirrorStats`) and what the status document says. Needs `npm run
 * build` first; skipped, saying why, where Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'node-osc';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSettingsFile } from '../../main/core/settings/settings-file-store.js';
import { DEFAULT_SETTINGS } from '../../common/settings-schema.js';
import { ModelLibrary } from '../../main/core/model-library.js';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchWithFakeCamera,
  openCameraPage,
} from '../support/chromium.js';
import {
  printed,
  REPO_ROOT,
  requireBuild,
  runCli,
  servedUrl,
  type ServeProcess,
} from '../server/serve-process.js';
import { FAKE_CAMERA } from '../support/e2e-paths.js';

const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
const FIRST_MODEL = 'user:udnie';

interface Status {
  readonly style: string | null;
  readonly displayedFps: number | null;
  readonly newestFrameAgeMs: number | null;
  readonly pages: { connected: number; reporting: number };
  readonly engine: { backend: string | null; device: string | null; model: string | null };
  readonly engineRestarts: number;
  readonly memory: readonly { process: string; pid: number; residentBytes: number }[];
  readonly uptimeSeconds: number;
}

interface PageGlobals {
  readonly __styleMirrorStats?: { readonly currentModelId: string | null; readonly displayedFrames: number };
}

if (!chromiumAvailable()) {
  console.warn(`Chromium is not installed at ${CHROMIUM_PATH}: skipping the remote control end-to-end test.`);
}

(chromiumAvailable() ? describe : describe.skip)('remote control of `stylemirror serve`', () => {
  let temp: string;
  let snapshots: string;
  let serve: ServeProcess;
  let api: string;
  let oscPort: number;
  let browser: Browser;
  let page: Page;
  let styleIds: string[];

  beforeAll(async () => {
    requireBuild();
    temp = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-remote-e2e-'));
    snapshots = path.join(temp, 'snapshots');
    const settingsFile = path.join(temp, 'settings.json');
    writeSettingsFile(settingsFile, {
      ...DEFAULT_SETTINGS,
      processingSize: { width: 128, height: 96 },
      camera: { deviceId: null, width: 320, height: 240 },
      lastModelId: FIRST_MODEL,
    });
    // The page lists these, in this order (an empty library: STYLEMIRROR_HOME is the temporary folder).
    styleIds = (
      await new ModelLibrary({ bundledDir: path.join(REPO_ROOT, 'models'), userDir: () => MODELS }).list()
    ).map((m) => m.id);
    serve = runCli(
      [
        'serve',
        '--port',
        '0',
        '--control-port',
        '0',
        '--osc-port',
        '0',
        '--models',
        MODELS,
        '--settings',
        settingsFile,
        '--snapshots',
        snapshots,
      ],
      { STYLEMIRROR_HOME: path.join(temp, 'home') },
    );
    // The page's address is the one under "Open:" (the remote control's lines come first).
    const url = (await servedUrl(serve, /Open:\n +http:\/\/127\.0\.0\.1:\d+\//)).replace(/^Open:\s+/, '');
    await printed(serve, /Remote control \(OSC\): udp 127\.0\.0\.1:\d+/);
    api = /Remote control: (http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(serve.output())![1]!;
    oscPort = Number(/Remote control \(OSC\): udp 127\.0\.0\.1:(\d+)/.exec(serve.output())![1]);

    browser = await launchWithFakeCamera(FAKE_CAMERA);
    page = await openCameraPage(browser, url, { width: 640, height: 480 });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(url);
    try {
      await waitForPageModel(FIRST_MODEL);
    } catch (error) {
      const stats = await page.evaluate(() => (globalThis as unknown as PageGlobals).__styleMirrorStats);
      throw new Error(
        `The page never showed ${FIRST_MODEL} (${(error as Error).message}); stats ${JSON.stringify(stats)}; ` +
          `page problems: ${problems.join('; ')}; serve said:\n${serve.output()}`,
      );
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined) {
      serve.child.kill('SIGINT');
      await serve.exited;
    }
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  });

  async function status(): Promise<Status> {
    const response = await fetch(`${api}/status`);
    expect(response.status).toBe(200);
    return (await response.json()) as Status;
  }

  async function send(method: 'POST' | 'PUT', route: string, body?: unknown): Promise<Response> {
    return fetch(`${api}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  function waitForPageModel(id: string): Promise<unknown> {
    return page.waitForFunction(
      (want: string) => (globalThis as unknown as PageGlobals).__styleMirrorStats?.currentModelId === want,
      id,
      { timeout: 90_000 },
    );
  }

  /** Polls the status document until `done` says yes (the page reports once a second). */
  async function statusUntil(done: (s: Status) => boolean): Promise<Status> {
    for (let i = 0; i < 120; i++) {
      const s = await status();
      if (done(s)) return s;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`The status never came right: ${JSON.stringify(await status())}`);
  }

  it('answers the status document with the page, the engine and the server', async () => {
    const s = await statusUntil((s) => s.style === FIRST_MODEL && (s.displayedFps ?? 0) > 0);
    expect(s.pages).toEqual({ connected: 1, reporting: 1 });
    expect(s.engine.backend).toMatch(/^(ort|tfjs)$/);
    expect(s.engine.device).toBeTruthy();
    expect(s.engine.model).toBeTruthy();
    expect(s.engineRestarts).toBe(0);
    expect(s.newestFrameAgeMs).not.toBeNull();
    expect(s.memory).toEqual([
      { process: 'server', pid: serve.child.pid, residentBytes: expect.any(Number) as number },
    ]);
    expect(s.memory[0]!.residentBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('switches to the next style when told over HTTP', async () => {
    const response = await send('POST', '/style/next');
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ ok: true, verb: 'style-next', pages: 1 });
    const next = styleIds[(styleIds.indexOf(FIRST_MODEL) + 1) % styleIds.length]!;
    await waitForPageModel(next);
    await statusUntil((s) => s.style === next);
  });

  it('switches to a named style when told over OSC', async () => {
    const client = new Client('127.0.0.1', oscPort);
    try {
      await client.send('/stylemirror/style', 'user:wave');
    } finally {
      await client.close();
    }
    await waitForPageModel('user:wave');
    await statusUntil((s) => s.style === 'user:wave');
  });

  it('saves a snapshot of what the page shows', async () => {
    expect((await send('POST', '/snapshot')).status).toBe(202);
    for (let i = 0; i < 60 && !(await pngIn(snapshots)); i++) await new Promise((r) => setTimeout(r, 500));
    expect(await pngIn(snapshots)).toBe(true);
  });

  it('refuses a bad strength, naming the field, and takes a good one', async () => {
    const bad = await send('PUT', '/strength', { value: 'loud' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^strength: value: /,
    );
    expect((await send('PUT', '/strength', { value: 0.3 })).status).toBe(200);
    // The page's settings, as its controls show them (the panel shows when the pointer moves).
    await page.mouse.move(100, 100);
    await page.mouse.move(120, 110);
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as {
            document: { querySelector(s: string): { value: string } | null };
          }
        ).document.querySelector('[data-testid="strength-slider"]')?.value === '0.3',
      undefined,
      { timeout: 10_000 },
    );
  });
});

async function pngIn(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  return (await readdir(dir)).some((name) => name.endsWith('.png'));
}
