/**
 * Loading the int8 network: which precision runs and why, and the per-model calibration cache.
 * Synthetic weights calibrate like real ones (and cost the same), so no shared data is needed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectFastInt8 } from '../../../main/engine/backends/ort/cpu-features.js';
import { INT8_MIN_PSNR, modelHash, openInt8Session } from '../../../main/engine/backends/ort/int8-session.js';
import { createOrtBackend } from '../../../main/engine/backends/ort/ort-backend.js';
import { createTfjsBackend } from '../../../main/engine/backends/tfjs/tfjs-backend.js';
import { Engine } from '../../../main/engine/engine.js';
import { syntheticModel } from '../../../main/engine/model/synthetic-model.js';
import { SHARED_DIR } from '../../support/testvectors.js';

const model = syntheticModel(3);
const UDNIE = path.join(SHARED_DIR, 'models/ml5/udnie');

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-int8-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

const cacheFile = (): string => path.join(cacheDir, 'int8-calibration', `${modelHash(model)}.json`);

async function load(precision: 'auto' | 'fp32' | 'int8') {
  const network = await createOrtBackend({ provider: 'cpu', precision, cacheDir }).load(model);
  await network.dispose();
  return network.info;
}

describe('precision on the onnxruntime CPU provider', () => {
  it('runs float32 when asked, without calibrating', async () => {
    expect(await load('fp32')).toMatchObject({ precision: 'fp32', precisionReason: 'float32 as asked' });
    await expect(readdir(cacheDir)).resolves.toEqual([]);
  });

  it('runs int8 when asked, saying how close to float32 it came', async () => {
    const info = await load('int8');
    expect(info).toMatchObject({ kind: 'ort', runtime: 'cpu', device: 'CPU', precision: 'int8' });
    expect(info.precisionReason).toMatch(/^int8 as asked; int8 is \d+\.\d dB PSNR against float32/);
  });

  it('runs int8 on auto exactly where this CPU has fast int8, and says why', async () => {
    const cpu = detectFastInt8();
    const info = await load('auto');
    expect(info.precision).toBe(cpu.fast ? 'int8' : 'fp32');
    expect(info.precisionReason).toContain(cpu.reason);
  });

  it.skipIf(!detectFastInt8().fast)(
    'falls back to float32 on auto for a model under the quality bar',
    async () => {
      await load('int8');
      const entry = JSON.parse(await readFile(cacheFile(), 'utf8')) as { psnr: number };
      await writeFile(cacheFile(), JSON.stringify({ ...entry, psnr: INT8_MIN_PSNR - 3.5 }));

      const info = await load('auto');
      expect(info.precision).toBe('fp32');
      expect(info.precisionReason).toBe(
        `auto: int8 is ${(INT8_MIN_PSNR - 3.5).toFixed(1)} dB PSNR against float32 on the calibration frames, under the ${INT8_MIN_PSNR} dB bar, so float32`,
      );
    },
  );

  it('refuses int8 on a GPU provider, naming it', async () => {
    await expect(createOrtBackend({ provider: 'cuda', precision: 'int8' }).load(model)).rejects.toThrow(
      "int8 runs on onnxruntime's CPU provider only, not on cuda.",
    );
  });

  it.skipIf(!existsSync(UDNIE))('comes through Engine.loadModel, which defaults to float32', async () => {
    const engine = new Engine({ cacheDir });
    try {
      expect((await engine.loadModel(UDNIE, 'ort')).backend.precision).toBe('fp32');
      expect((await engine.loadModel(UDNIE, 'ort', undefined, 'int8')).backend.precision).toBe('int8');
      expect(engine.status?.backend.precision).toBe('int8');
    } finally {
      await engine.dispose();
    }
  });
});

describe('tfjs and precision', () => {
  it('says it runs float32 only', async () => {
    const backend = await createTfjsBackend({ runtime: 'cpu' });
    const network = await backend.load(model);
    await network.dispose();
    expect(network.info).toMatchObject({ precision: 'fp32' });
    expect(network.info.precisionReason).toMatch(/tfjs runs float32 only/);
  });
});

describe('the int8 calibration cache', () => {
  it('calibrates once per model, then reads the result back', async () => {
    const first = await openInt8Session(model, { cacheDir });
    await first.session.release();
    expect(first.calibration.cached).toBe(false);
    expect(first.calibration.psnr).toBeGreaterThan(0);
    expect(await readdir(path.dirname(cacheFile()))).toEqual([path.basename(cacheFile())]);

    const second = await openInt8Session(model, { cacheDir });
    await second.session.release();
    expect(second.calibration).toEqual({ ...first.calibration, cached: true });
  });

  it('keeps one calibration per model, by content', async () => {
    const other = syntheticModel(4);
    await (await openInt8Session(model, { cacheDir })).session.release();
    await (await openInt8Session(other, { cacheDir })).session.release();
    expect((await readdir(path.dirname(cacheFile()))).sort()).toEqual(
      [`${modelHash(model)}.json`, `${modelHash(other)}.json`].sort(),
    );
    expect(modelHash(other)).not.toBe(modelHash(model));
  });

  it('calibrates again when the cache is corrupt, damaged or from another runtime', async () => {
    await (await openInt8Session(model, { cacheDir })).session.release();
    const good = JSON.parse(await readFile(cacheFile(), 'utf8')) as Record<string, unknown>;
    const damaged = [
      '{not json',
      JSON.stringify({ ...good, runtime: 'v0 onnxruntime 0.0.1 another CPU' }),
      JSON.stringify({ ...good, plan: { layers: {}, activationGains: {} } }),
      JSON.stringify({ ...good, psnr: 'high' }),
    ];
    for (const content of damaged) {
      await writeFile(cacheFile(), content);
      const reopened = await openInt8Session(model, { cacheDir });
      await reopened.session.release();
      expect(reopened.calibration.cached, content.slice(0, 60)).toBe(false);
      expect(JSON.parse(await readFile(cacheFile(), 'utf8'))).toMatchObject({ runtime: good.runtime });
    }
  });
});
