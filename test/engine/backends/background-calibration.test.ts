/**
 * `auto`'s int8 calibration in a worker thread: the load runs float32 at once, the network switches
 * itself to int8 when the plan is ready, and the engine keeps serving frames meanwhile. The worker is
 * the built one (a worker thread cannot run TypeScript): `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoadedNetwork } from '../../../main/engine/backends/backend.js';
import { BackgroundCalibration } from '../../../main/engine/backends/ort/background-calibration.js';
import { detectFastInt8 } from '../../../main/engine/backends/ort/cpu-features.js';
import { modelHash } from '../../../main/engine/backends/ort/int8-session.js';
import { createOrtBackend } from '../../../main/engine/backends/ort/ort-backend.js';
import { Engine } from '../../../main/engine/engine.js';
import { readStyleModel } from '../../../main/engine/model/read-style-model.js';
import type { Ml5Model } from '../../../main/engine/model/ml5-model.js';
import { serveEngine } from '../../../main/engine/worker/serve-engine.js';
import { startWorkerEngine } from '../../../main/engine/worker/worker-thread-launcher.js';
import type { EngineReply } from '../../../common/engine-protocol.js';
import { INT8_CALIBRATING_REASON, type EngineStatus } from '../../../common/engine-types.js';
import type { Frame } from '../../../common/frame.js';
import { photoFrame } from '../../support/photos.js';
import { SHARED_DIR } from '../../support/testvectors.js';

/** Every Worker this file's code starts, to prove each one is gone when it should be. */
const workers = vi.hoisted(() => [] as { exited: Promise<number> }[]);
vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:worker_threads')>();
  class TrackedWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      super(...args);
      workers.push({ exited: new Promise((resolve) => this.once('exit', resolve)) });
    }
  }
  return { ...original, Worker: TrackedWorker };
});

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const WORKER = pathToFileURL(path.join(REPO_ROOT, 'dist/main/engine/backends/ort/calibration-worker.js'));
const ENGINE_WORKER = pathToFileURL(path.join(REPO_ROOT, 'dist/main/engine/worker/engine-worker.js'));
const MATTA = path.join(REPO_ROOT, 'models/matta');
const UDNIE = path.join(SHARED_DIR, 'models/ml5/udnie');
const fast = detectFastInt8().fast;

let cacheDir: string;
let frame: Frame;
beforeAll(async () => {
  if (!existsSync(fileURLToPath(WORKER))) {
    throw new Error(`${fileURLToPath(WORKER)} is missing: run \`npm run build\` first (\`npm test\` does).`);
  }
  frame = await photoFrame(64, 48, 3);
});
beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-bgcal-'));
  workers.length = 0;
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

const cacheFile = (model: Ml5Model, dir = cacheDir): string =>
  path.join(dir, 'int8-calibration', `${modelHash(model)}.json`);

async function ml5(dir: string): Promise<Ml5Model> {
  const model = await readStyleModel(dir);
  if (model.format !== 'ml5') throw new Error(`${dir} is not an ml5 model`);
  return model;
}

/** Runs frames on `network` until its precision reason is no longer "calibrating"; how many it ran. */
async function framesWhileCalibrating(network: LoadedNetwork): Promise<number> {
  const image = { data: new Float32Array(32 * 32 * 3).fill(100), width: 32, height: 32 };
  let frames = 0;
  while (network.info.precisionReason === INT8_CALIBRATING_REASON) {
    await network.run(image);
    frames++;
  }
  return frames;
}

/** The engine's message loop in this process, called as the app's window calls it. */
function servedEngine(engine: Engine) {
  let deliver: (message: unknown) => void = () => undefined;
  const answers = new Map<number, (reply: EngineReply) => void>();
  serveEngine(engine, {
    onMessage: (listener) => (deliver = listener),
    postMessage: (reply) => answers.get((reply as EngineReply).id)?.(reply as EngineReply),
  });
  let nextId = 0;
  return async <T>(method: string, params: unknown): Promise<T> => {
    const id = nextId++;
    const reply = await new Promise<EngineReply>((resolve) => {
      answers.set(id, resolve);
      deliver({ id, method, params });
    });
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value as T;
  };
}

describe.skipIf(!fast || !existsSync(UDNIE))('background int8 calibration (auto)', () => {
  it('serves float32 frames while calibrating, then int8 from the cached plan, as inline int8 does', async () => {
    const engine = new Engine({ cacheDir, calibration: 'background', calibrationWorker: WORKER });
    const call = servedEngine(engine);
    try {
      const loaded = await call<EngineStatus>('loadModel', { dir: UDNIE, backend: 'ort', precision: 'auto' });
      expect(loaded.backend.precision).toBe('fp32');
      expect(loaded.backend.precisionReason).toBe(INT8_CALIBRATING_REASON);

      // Frames through the engine's queue while the worker measures: the point of the whole thing.
      let framesDuringCalibration = 0;
      let status = loaded;
      while (status.backend.precisionReason === INT8_CALIBRATING_REASON) {
        await call('stylize', { frame: { ...frame, data: frame.data.slice() } });
        framesDuringCalibration++;
        status = (await call<EngineStatus>('status', {}))!;
      }
      expect(framesDuringCalibration).toBeGreaterThanOrEqual(10);
      expect(status.backend.precision).toBe('int8');
      expect(status.backend.precisionReason).toMatch(
        /^auto: .*, and int8 is \d+\.\d dB PSNR against float32/,
      );
      const cached = JSON.parse(await readFile(cacheFile(await ml5(UDNIE)), 'utf8')) as { model: string };
      expect(cached.model).toBe('udnie');

      // The switched network computes what the inline int8 path computes.
      const inlineDir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-bgcal-inline-'));
      const inline = new Engine({ cacheDir: inlineDir });
      try {
        expect((await inline.loadModel(UDNIE, 'ort', undefined, 'int8')).backend.precision).toBe('int8');
        const ours = (
          await call<{ frame: Frame }>('stylize', { frame: { ...frame, data: frame.data.slice() } })
        ).frame.data;
        const theirs = (await inline.stylize(frame)).frame.data;
        const worst = Math.max(...Array.from(ours, (v: number, i) => Math.abs(v - theirs[i]!)));
        expect(worst).toBeLessThanOrEqual(1);
      } finally {
        await inline.dispose();
        await rm(inlineDir, { recursive: true, force: true });
      }

      // A second load finds the plan: int8 at once, no worker asked.
      const started = workers.length;
      const again = await call<EngineStatus>('loadModel', { dir: UDNIE, backend: 'ort', precision: 'auto' });
      expect(again.backend.precision).toBe('int8');
      expect(workers.length).toBe(started);
    } finally {
      await engine.dispose();
    }
  });

  it('stops the worker when the engine is disposed mid-calibration, with nothing left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const engine = new Engine({ cacheDir, calibration: 'background', calibrationWorker: WORKER });
      const loaded = await engine.loadModel(MATTA, 'ort', undefined, 'auto');
      expect(loaded.backend.precisionReason).toBe(INT8_CALIBRATING_REASON);
      expect(workers).toHaveLength(1);
      await engine.dispose();
      await workers[0]!.exited;
      // Two turns of the event loop: time for a stray rejection to surface.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(existsSync(cacheFile(await ml5(MATTA)))).toBe(false);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('starts no worker for jobs queued before a dispose, and rejects them', async () => {
    const calibration = new BackgroundCalibration(WORKER);
    const running = calibration.calibrate(await ml5(MATTA), cacheDir);
    const queued = calibration.calibrate(await ml5(UDNIE), cacheDir);
    await calibration.dispose();
    await expect(running).rejects.toThrow('int8 calibration stopped: the engine was disposed');
    await expect(queued).rejects.toThrow('int8 calibration stopped: the engine was disposed');
    expect(workers).toHaveLength(1);
    await workers[0]!.exited;
  });

  it('calibrates inline when int8 is asked for, even on an engine that calibrates in the background', async () => {
    const engine = new Engine({ cacheDir, calibration: 'background', calibrationWorker: WORKER });
    try {
      const loaded = await engine.loadModel(MATTA, 'ort', undefined, 'int8');
      expect(loaded.backend).toMatchObject({ precision: 'int8' });
      expect(loaded.backend.precisionReason).toMatch(/^int8 as asked; /);
      expect(existsSync(cacheFile(await ml5(MATTA)))).toBe(true);
      expect(workers).toHaveLength(0);
    } finally {
      await engine.dispose();
    }
  });

  it('stays float32, saying why, when the calibrated plan misses the bar', async () => {
    const calibration = new BackgroundCalibration(WORKER);
    const model = await ml5(MATTA);
    const network = await createOrtBackend({
      provider: 'cpu',
      precision: 'auto',
      cacheDir,
      backgroundCalibration: calibration,
      int8MinPsnr: 99,
    }).load(model);
    try {
      expect(await framesWhileCalibrating(network)).toBeGreaterThan(0);
      expect(network.info.precision).toBe('fp32');
      expect(network.info.precisionReason).toMatch(
        /^auto: int8 is \d+\.\d dB PSNR against float32 on the calibration frames, under the 99 dB bar, so float32$/,
      );
      // The plan is cached all the same: the bar is the network's business, not the measurement's.
      expect(existsSync(cacheFile(model))).toBe(true);
    } finally {
      await network.dispose();
      await calibration.dispose();
    }
  });

  it('stays float32, saying why, when the calibration worker dies', async () => {
    const calibration = new BackgroundCalibration(
      new URL('data:text/javascript,throw new Error("no calibration today")'),
    );
    const network = await createOrtBackend({
      provider: 'cpu',
      precision: 'auto',
      cacheDir,
      backgroundCalibration: calibration,
    }).load(await ml5(MATTA));
    try {
      await framesWhileCalibrating(network);
      expect(network.info.precision).toBe('fp32');
      expect(network.info.precisionReason).toMatch(
        /^auto: int8 calibration failed \(the int8 calibration worker stopped \(no calibration today\)\), so float32$/,
      );
    } finally {
      await network.dispose();
      await calibration.dispose();
    }
  });

  it('measures a model once, however often it is asked', async () => {
    const calibration = new BackgroundCalibration(WORKER);
    try {
      const model = await ml5(MATTA);
      const first = calibration.calibrate(model, cacheDir);
      expect(calibration.calibrate(model, cacheDir)).toBe(first);
      expect((await first).psnr).toBeGreaterThan(20);
      expect(calibration.calibrate(model, cacheDir)).toBe(first);
      expect(workers).toHaveLength(1);
    } finally {
      await calibration.dispose();
    }
  });

  it('is what the engine worker does unless its starter asks for inline (the pipeline bench)', async () => {
    // Both workers use this file's STYLEMIRROR_HOME cache: one model each, so neither finds the other's plan.
    for (const [calibration, dir, precision] of [
      [undefined, MATTA, 'fp32'],
      ['inline', UDNIE, 'int8'],
    ] as const) {
      const engine = startWorkerEngine({
        script: ENGINE_WORKER,
        ...(calibration === undefined ? {} : { calibration }),
      });
      try {
        const loaded = await engine.call('loadModel', { dir, backend: 'ort', precision: 'auto' });
        expect(loaded.backend.precision, `calibration ${calibration ?? 'default'}`).toBe(precision);
      } finally {
        await engine.close();
      }
    }
  });
});
