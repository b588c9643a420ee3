/**
 * Fault injection against a real `stylemirror serve` (the built CLI in its own process, its own
 * STYLEMIRROR_HOME) with the built page in headless Chromium on the fake camera: the engine killed
 * mid-stream, the engine hung in a frame, malformed messages on the real WebSocket beside a live
 * page, and a damaged settings file at start. The engine faults come from a test launcher
 * (test/support/engine-fault-hook.mjs, `node --import`), never from anything a page can reach.
 * What test/server/hostile-clients.test.ts already covers (every decoder limit, floods, tokens) is
 * not repeated: here the question is whether the mirror on screen survives. Needs `npm run build`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../common/settings-schema.js';
import { MAX_CLIENT_MESSAGE_BYTES, type ServerMessage } from '../../common/wire.js';
import { writeSettingsFile } from '../../main/core/settings/settings-file-store.js';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchWithFakeCamera,
  openCameraPage,
} from '../support/chromium.js';
import { startServeChild, type ServeChild } from '../support/serve-child.js';
import { openWire } from '../server/wire-test-client.js';
import { REPO_ROOT, FAKE_CAMERA } from '../support/e2e-paths.js';

const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
const FAULT_HOOK = path.join(REPO_ROOT, 'test/support/engine-fault-hook.mjs');
const BUILT = ['dist/main/cli/stylemirror.js', 'dist/renderer/index.html'];
/**
 * How long frames may take to come back after an engine restart: the 1 s backoff, a new worker, the
 * model read and opened again. A bound on a loaded 2-core machine, not a measurement.
 */
const RESUME_MS = 20_000;

/** Small frames, so a 2-core CPU keeps several a second coming. */
const SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  processingSize: { width: 256, height: 192 },
  camera: { deviceId: null, width: 320, height: 240 },
};

interface MirrorStats {
  readonly displayedFrames: number;
}

const ready = chromiumAvailable() && existsSync(FAKE_CAMERA) && existsSync(SHARED_MODELS);
if (!ready) {
  console.warn(
    `Chromium (${CHROMIUM_PATH}), the fake camera or the shared models are missing: skipping fault injection.`,
  );
}

let browser: Browser;

/** A page on `url` with the fake camera, its page errors collected. */
async function openMirror(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await openCameraPage(browser, url, { width: 800, height: 600 });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

async function displayedFrames(page: Page): Promise<number> {
  return page.evaluate(
    () => (globalThis as { __styleMirrorStats?: MirrorStats }).__styleMirrorStats?.displayedFrames ?? 0,
  );
}

/** Waits until `page` has shown `count` more frames than now. */
async function moreFrames(page: Page, count: number, timeout: number): Promise<void> {
  const target = (await displayedFrames(page)) + count;
  await page.waitForFunction(
    (n: number) =>
      ((globalThis as { __styleMirrorStats?: MirrorStats }).__styleMirrorStats?.displayedFrames ?? 0) >= n,
    target,
    { timeout, polling: 100 },
  );
}

/** Waits until serve has printed something matching `pattern`. */
async function untilPrinted(serve: ServeChild, pattern: RegExp, timeout: number): Promise<void> {
  await vi.waitFor(
    () => {
      if (!pattern.test(serve.output()))
        throw new Error(`serve has not printed ${pattern}:\n${serve.output()}`);
    },
    { timeout, interval: 100 },
  );
}

function stop(serve: ServeChild | undefined): Promise<void> {
  if (serve === undefined || serve.child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => serve.child.once('exit', () => resolve()));
  serve.child.kill('SIGTERM');
  return exited;
}

beforeAll(async () => {
  if (!ready) return;
  const unbuilt = BUILT.filter((f) => !existsSync(path.join(REPO_ROOT, f)));
  if (unbuilt.length > 0) throw new Error(`${unbuilt.join(', ')} missing: run \`npm run build\` first.`);
  browser = await launchWithFakeCamera(FAKE_CAMERA);
});
afterAll(async () => {
  await browser?.close();
});

(ready ? describe : describe.skip)('fault injection: a live mirror on a real serve', () => {
  let home: string;
  let settingsFile: string;
  let serve: ServeChild;
  let mirror: { page: Page; errors: string[] };

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-faults-'));
    settingsFile = path.join(home, 'settings.json');
    writeSettingsFile(settingsFile, SETTINGS);
    serve = await startServeChild({
      home,
      args: ['--models', SHARED_MODELS],
      nodeArgs: ['--import', FAULT_HOOK],
    });
    mirror = await openMirror(serve.url);
    await moreFrames(mirror.page, 3, 90_000);
  });
  afterAll(async () => {
    await stop(serve);
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  /** Gives the fault hook an order on serve's stdin (see engine-fault-hook.mjs). */
  function inject(fault: 'crash' | 'hang'): void {
    serve.child.stdin!.write(`${fault}\n`);
  }

  const serveLog = (): Promise<string> => readFile(path.join(home, 'logs', 'serve.log'), 'utf8');

  it('kill the engine mid-stream: frames come back within seconds, the settings file is untouched, the log says so', async () => {
    const settingsBefore = await readFile(settingsFile);
    await moreFrames(mirror.page, 2, 30_000);
    inject('crash');
    await untilPrinted(serve, /fault hook: engine worker 2 started/, RESUME_MS);
    await moreFrames(mirror.page, 3, RESUME_MS);
    expect(await readFile(settingsFile)).toEqual(settingsBefore);
    const logged = await serveLog();
    expect(logged).toMatch(/\] warn \(engine\) The style engine stopped unexpectedly \(exit code 3\)/);
    expect(logged).toMatch(/\] warn \(engine\) reloaded \S+/);
    expect(mirror.errors).toEqual([]);
  });

  it('hang the engine in a frame: noticed at the deadline, restarted, and frames come back', async () => {
    inject('hang');
    await untilPrinted(serve, /fault hook: engine worker spinning/, 30_000);
    // Nothing is painted while it spins; then the supervisor's 15 s frame deadline passes.
    await untilPrinted(serve, /fault hook: engine worker 3 started/, 30_000);
    await moreFrames(mirror.page, 3, RESUME_MS);
    expect(await serveLog()).toMatch(
      /\] warn \(engine\) The style engine did not answer .*stylize.* within 15 s/,
    );
    expect(mirror.errors).toEqual([]);
  });

  it('malformed frames and control messages on the real WebSocket: clear errors, and the page beside keeps painting', async () => {
    const client = await openWire(serve.url);
    const good = encode({ t: 'control', id: 9, channel: 'settings:get', payload: {} });
    const frameMessage = encode({
      t: 'frame',
      id: 1,
      frame: { data: new Uint8Array(16 * 16 * 4), width: 16, height: 16, channels: 4 },
      options: {},
    });
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff);
    const bad: (Uint8Array | string)[] = [
      garbage,
      frameMessage.subarray(0, frameMessage.length - 100), // truncated MessagePack
      encode({
        t: 'frame',
        id: 2,
        frame: { data: 'pixels', width: 16, height: 16, channels: 4 },
        options: {},
      }),
      encode({ t: 'frame', id: 3, frame: { data: new Uint8Array(10), width: 16, height: 16, channels: 4 } }),
      encode({ t: 'control', id: 4, channel: 'settings:update', payload: { processingSize: 'huge' } }),
      encode({ t: 'control', id: 5, channel: 'models:select', payload: { id: 42 } }),
      encode({ t: 'control', id: 6, channel: 'no:such-channel', payload: {} }),
      encode(['not', 'a', 'message']),
      '{"t":"control","id":7}',
    ];
    for (const message of bad) client.send(message);
    client.send(good);
    await client.reply(9);
    const answers = client.replies.filter((r) => r.id !== 9);
    expect(answers).toHaveLength(bad.length);
    for (const reply of answers) {
      expect(reply.ok).toBe(false);
      const error = (reply as Extract<ServerMessage, { ok: false }>).error;
      expect(error.code).toMatch(/^(invalid-message|invalid-request|unknown-channel)$/);
      expect(error.message.length).toBeGreaterThan(15);
    }
    expect((await client.reply(9)).ok).toBe(true);
    await client.close();

    // Oversized: that socket is closed, naming the limit; nobody else's.
    const big = await openWire(serve.url);
    big.send(new Uint8Array(MAX_CLIENT_MESSAGE_BYTES + 1));
    expect(await big.closed).toMatchObject({
      code: 1009,
      reason: expect.stringContaining(String(MAX_CLIENT_MESSAGE_BYTES)),
    });

    await moreFrames(mirror.page, 3, 30_000);
    expect(serve.child.exitCode).toBeNull();
    expect(mirror.errors).toEqual([]);
    // The settings were never changed by any of it.
    const settingsNow = JSON.parse(await readFile(settingsFile, 'utf8')) as Settings;
    expect(settingsNow.processingSize).toEqual(SETTINGS.processingSize);
  });
});

/** Every file under `dir` with a hash of its bytes: to show a library is exactly as it was. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  }
  return out;
}

(ready ? describe : describe.skip)('fault injection: a damaged settings file at start', () => {
  const damaged: [string, Uint8Array][] = [
    ['garbage bytes', Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff)],
    ['truncated JSON', new TextEncoder().encode(JSON.stringify(SETTINGS).slice(0, 60))],
    [
      'wrong types',
      new TextEncoder().encode(
        JSON.stringify({ ...SETTINGS, strength: 'loud', mirror: 3, processingSize: [256, 192] }),
      ),
    ],
  ];

  it.each(damaged)(
    '%s: serve starts, the file is kept aside as it was, the page says so, the library is intact',
    async (_kind, bytes) => {
      const home = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-faults-settings-'));
      let serve: ServeChild | undefined;
      try {
        const library = path.join(home, 'library');
        await cp(path.join(SHARED_MODELS, 'udnie'), path.join(library, 'udnie'), { recursive: true });
        const libraryBefore = await fingerprint(library);
        await writeFile(path.join(home, 'settings.json'), bytes);

        serve = await startServeChild({ home });
        const { page, errors } = await openMirror(serve.url);
        const warning = page.getByTestId('warning-toast').filter({ hasText: 'kept as' });
        await warning.first().waitFor({ timeout: 30_000 });
        expect(await warning.first().textContent()).toMatch(/settings\.corrupt-[\dT:.Z-]+\.json/);

        const aside = (await readdir(home)).filter((n) => /^settings\.corrupt-.*\.json$/.test(n));
        expect(aside).toHaveLength(1);
        expect(new Uint8Array(await readFile(path.join(home, aside[0]!)))).toEqual(bytes);
        // The replacement is whole, valid settings.
        expect(JSON.parse(await readFile(path.join(home, 'settings.json'), 'utf8'))).toHaveProperty(
          'version',
        );

        const client = await openWire(serve.url);
        client.send({ t: 'control', id: 1, channel: 'models:list', payload: {} });
        const listed = await client.reply(1);
        await client.close();
        expect(listed.ok && (listed.value as { id: string }[]).map((m) => m.id)).toContain('library:udnie');
        expect(await fingerprint(library)).toEqual(libraryBefore);
        expect(await readFile(path.join(home, 'logs', 'serve.log'), 'utf8')).toMatch(
          /\] warn \(server\) Style Mirror: the settings file was damaged; kept it as /,
        );
        expect(errors).toEqual([]);
        await page.context().close();
      } finally {
        await stop(serve);
        await rm(home, { recursive: true, force: true });
      }
    },
  );
});
