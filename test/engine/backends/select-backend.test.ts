import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  machineFingerprint,
  nativeTfjsInstalled,
  openNetwork,
  type AutoChoice,
} from '../../../main/engine/backends/select-backend.js';
import type { Ml5Model } from '../../../main/engine/model/ml5-model.js';
import { readMl5Model } from '../../../main/engine/model/ml5-model-reader.js';
import { SHARED_DIR } from '../../support/testvectors.js';

describe('auto backend choice', () => {
  let model: Ml5Model;
  let cacheDir: string;
  const cacheFile = (): string => path.join(cacheDir, 'backend-choice.json');

  beforeAll(async () => {
    model = await readMl5Model(path.join(SHARED_DIR, 'models/ml5/udnie'));
  });
  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-cache-'));
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it.skipIf(nativeTfjsInstalled())(
    'without a native tfjs, takes onnxruntime without timing tfjs on WebAssembly, and caches nothing',
    async () => {
      const network = await openNetwork(model, 'auto', { cacheDir });
      try {
        expect(network.info.kind).toBe('ort');
        await expect(readFile(cacheFile(), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
      } finally {
        await network.dispose();
      }
    },
  );

  it('measures every backend once, keeps the fastest and caches the measurement', async () => {
    const network = await openNetwork(model, 'auto', { cacheDir, measureTfjs: true });
    try {
      const choice = JSON.parse(await readFile(cacheFile(), 'utf8')) as AutoChoice;
      expect(choice.fingerprint).toBe(machineFingerprint());
      expect(Object.keys(choice.msPerFrame).sort()).toEqual(['ort', 'tfjs']);
      const fastest = (Object.entries(choice.msPerFrame) as [string, number][]).sort(
        (a, b) => a[1] - b[1],
      )[0]![0];
      expect(choice.kind).toBe(fastest);
      expect(network.info.kind).toBe(choice.kind);
    } finally {
      await network.dispose();
    }
  });

  it('trusts a cached choice for this machine without measuring again', async () => {
    // Claim tfjs won: only the cache can make auto pick it, since it is far slower than ort here.
    const cached: AutoChoice = {
      fingerprint: machineFingerprint(),
      kind: 'tfjs',
      msPerFrame: { tfjs: 1 },
      measuredAt: new Date().toISOString(),
    };
    await writeFile(cacheFile(), JSON.stringify(cached));
    const network = await openNetwork(model, 'auto', { cacheDir });
    await network.dispose();
    expect(network.info.kind).toBe('tfjs');
    expect(JSON.parse(await readFile(cacheFile(), 'utf8'))).toEqual(cached);
  });

  it('measures again when the cache is corrupt or from another machine', async () => {
    for (const content of ['{not json', JSON.stringify({ fingerprint: 'another-machine', kind: 'tfjs' })]) {
      await writeFile(cacheFile(), content);
      const network = await openNetwork(model, 'auto', { cacheDir, measureTfjs: true });
      await network.dispose();
      const rewritten = JSON.parse(await readFile(cacheFile(), 'utf8')) as AutoChoice;
      expect(rewritten.fingerprint).toBe(machineFingerprint());
      expect(rewritten.msPerFrame.ort).toBeGreaterThan(0);
    }
  });

  it('honours a forced backend', async () => {
    const network = await openNetwork(model, 'ort', { cacheDir });
    await network.dispose();
    expect(network.info.kind).toBe('ort');
  });
});
