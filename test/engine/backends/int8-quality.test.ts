/**
 * The int8 quality bar: on every ml5 model in ../shared, the int8 network's picture is at least
 * INT8_MIN_PSNR (30 dB) from float32's at the same size, on each shared content photo (scaled to fit
 * 256x256, the sizes the mirror runs at, most of them not multiples of 4). The photos are not what
 * calibration saw: it uses generated frames. Prints every PSNR.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkImage } from '../../../main/engine/backends/backend.js';
import { psnr } from '../../../main/engine/backends/ort/int8-calibration.js';
import { INT8_MIN_PSNR } from '../../../main/engine/backends/ort/int8-session.js';
import { createOrtBackend } from '../../../main/engine/backends/ort/ort-backend.js';
import { renderNetworkOutput } from '../../../main/engine/frame/pixel-ops.js';
import { readMl5Model } from '../../../main/engine/model/ml5-model-reader.js';
import { SHARED_DIR } from '../../support/testvectors.js';

const MODELS_DIR = path.join(SHARED_DIR, 'models/ml5');
const PHOTOS_DIR = path.join(SHARED_DIR, 'images/content');
const SIDE = 256;

const models = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).sort() : [];
const photos = existsSync(PHOTOS_DIR) ? readdirSync(PHOTOS_DIR).sort() : [];
if (models.length === 0 || photos.length === 0) {
  console.warn(`No models or photos in ${SHARED_DIR}: skipping the int8 quality bar.`);
}

/** A photo scaled to fit SIDE x SIDE (never enlarged), as the network's RGB input. */
async function photoImage(file: string): Promise<NetworkImage> {
  const { data, info } = await sharp(path.join(PHOTOS_DIR, file))
    .resize(SIDE, SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: Float32Array.from(data), width: info.width, height: info.height };
}

(models.length > 0 && photos.length > 0 ? describe : describe.skip)('int8 against float32', () => {
  let cacheDir: string;
  let images: { file: string; image: NetworkImage }[];
  const table: string[] = [];

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-int8-quality-'));
    images = await Promise.all(photos.map(async (file) => ({ file, image: await photoImage(file) })));
  });
  afterAll(async () => {
    if (table.length > 0)
      console.log(`int8 PSNR against float32 (dB), ${photos.join(', ')}:\n${table.join('\n')}`);
    if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
  });

  it.each(models)(`%s keeps at least ${INT8_MIN_PSNR} dB on every photo`, async (name) => {
    const model = await readMl5Model(path.join(MODELS_DIR, name));
    const float32 = await createOrtBackend({ provider: 'cpu', precision: 'fp32' }).load(model);
    const int8 = await createOrtBackend({ provider: 'cpu', precision: 'int8', cacheDir }).load(model);
    try {
      expect(int8.info.precision).toBe('int8');
      const results: { file: string; psnr: number; size: string }[] = [];
      for (const { file, image } of images) {
        const render = async (network: typeof float32) =>
          renderNetworkOutput(await network.run(image), image.width, image.height);
        results.push({
          file,
          psnr: psnr(await render(float32), await render(int8)),
          size: `${image.width}x${image.height}`,
        });
      }
      table.push(`${name.padEnd(14)} ${results.map((r) => r.psnr.toFixed(1).padStart(5)).join(' ')}`);
      for (const r of results) {
        expect(r.psnr, `${name}: int8 PSNR against float32 on ${r.file} at ${r.size}`).toBeGreaterThanOrEqual(
          INT8_MIN_PSNR,
        );
      }
    } finally {
      await float32.dispose();
      await int8.dispose();
    }
  });
});
