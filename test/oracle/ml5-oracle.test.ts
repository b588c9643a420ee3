/**
 * ml5.js 0.12.2 itself, running in real Chromium (WebGL on SwiftShader), as a live oracle.
 *
 * The page feeds ml5 an `ImageData` (ml5 passes it to `tf.browser.fromPixels` untouched; a canvas
 * would go through `toDataURL` and a 200x200 `Image`, i.e. a resize) and reads back:
 * - the RGB the network saw: `fromPixels` on the same `ImageData`, which is what `transfer` does;
 * - ml5's output: `transfer` resolves to an `<img>` whose `src` is a PNG data URL of a canvas that
 *   ml5 filled with `floor(256 * clip(v, 0, 255) / 255)` (alpha 255, so the PNG is lossless), where
 *   v = 150 * tanh(x) + 127.5 at the network's `4 * ceil(side / 4)` output size. Node decodes it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOrtBackend } from '../../main/engine/backends/ort/ort-backend.js';
import { readMl5Model } from '../../main/engine/model/ml5-model-reader.js';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from '../support/chromium.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = path.resolve(ROOT, '../shared');
const RESULTS = path.join(ROOT, 'test-results/oracle');

/** Where the page gets its input: a raw `.rgb` test vector, or a photo the page downscales itself. */
type InputSource =
  | { readonly kind: 'rgb'; readonly url: string; readonly width: number; readonly height: number }
  | { readonly kind: 'photo'; readonly url: string; readonly width: number; readonly height: number };

/** What the page reports for one `styleTransfer` + `transfer`. */
interface Ml5Run {
  readonly ml5Version: string;
  readonly backend: string;
  readonly webglVersion: number;
  readonly renderFloat32: boolean;
  readonly inputRgb: number[];
  readonly outputPngDataUrl: string;
  readonly transferMs: number;
}

/** The page-side API, reached through `globalThis` because this file compiles without the DOM lib. */
interface OraclePage {
  stylize(modelUrl: string, source: InputSource): Promise<Ml5Run>;
}

// Plain browser JS: the page script never goes through tsc, so it is kept to what it must do.
const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<script src="/ml5/ml5.min.js"></script>
<script>
  const tf = ml5.tf; // ml5 bundles tfjs 1.7.4; this is the copy its styleTransfer uses.
  // Textures are created as float32 or float16 from this flag at each allocation, so setting it
  // before the first transfer is enough. SwiftShader's WebGL2 defaults to float32 already; this
  // guards hosts that would pick float16, which loses precision in the instance norms.
  tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', true);

  async function loadInput(source) {
    const { width, height } = source;
    if (source.kind === 'rgb') {
      const rgb = new Uint8Array(await (await fetch(source.url)).arrayBuffer());
      if (rgb.length !== width * height * 3) throw new Error('bad .rgb size ' + rgb.length);
      const image = new ImageData(width, height);
      for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
        image.data[j] = rgb[i];
        image.data[j + 1] = rgb[i + 1];
        image.data[j + 2] = rgb[i + 2];
        image.data[j + 3] = 255;
      }
      return image;
    }
    const photo = new Image();
    photo.src = source.url;
    await photo.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(photo, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  }

  globalThis.oracle = {
    async stylize(modelUrl, source) {
      const input = await loadInput(source);
      const seen = tf.browser.fromPixels(input);
      const inputRgb = Array.from(await seen.data());
      seen.dispose();
      const model = await ml5.styleTransfer(modelUrl);
      const start = performance.now();
      const output = await model.transfer(input);
      const transferMs = performance.now() - start;
      return {
        ml5Version: ml5.version,
        backend: tf.getBackend(),
        webglVersion: tf.env().getNumber('WEBGL_VERSION'),
        renderFloat32: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'),
        inputRgb,
        outputPngDataUrl: output.src,
        transferMs,
      };
    },
  };
</script>`;

/** An RGB uint8 image, HWC. */
interface Rgb8 {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** How two uint8 images of one size differ. */
interface Agreement {
  readonly total: number;
  readonly mismatches: number;
  readonly offByMoreThanOne: number;
  readonly maxAbsDiff: number;
}

function compareRgb8(actual: Rgb8, expected: Rgb8): Agreement {
  expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
  let mismatches = 0;
  let offByMoreThanOne = 0;
  let maxAbsDiff = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const diff = Math.abs(actual.data[i]! - expected.data[i]!);
    if (diff > 0) mismatches++;
    if (diff > 1) offByMoreThanOne++;
    maxAbsDiff = Math.max(maxAbsDiff, diff);
  }
  return { total: expected.data.length, mismatches, offByMoreThanOne, maxAbsDiff };
}

async function decodePngDataUrl(dataUrl: string): Promise<Rgb8> {
  const prefix = 'data:image/png;base64,';
  expect(dataUrl.startsWith(prefix)).toBe(true);
  const { data, info } = await sharp(Buffer.from(dataUrl.slice(prefix.length), 'base64'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** The network's raw float output as ml5 renders it: `min(255, floor(256 * clip(v, 0, 255) / 255))`. */
function toMl5Uint8(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.min(255, Math.floor((256 * Math.min(255, Math.max(0, values[i]!))) / 255));
  }
  return out;
}

async function savePng(image: Rgb8, name: string): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toFile(path.join(RESULTS, name));
}

const available = chromiumAvailable();
if (!available) {
  console.warn(
    `ml5 oracle tests SKIPPED: ${CHROMIUM_PATH} not found (run scripts/install-chromium.sh as root).`,
  );
}

describe.skipIf(!available)('ml5.js 0.12.2 in Chromium as an oracle', () => {
  let server: StaticServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startStaticServer({
      ml5: path.join(ROOT, 'node_modules/ml5/dist'),
      models: path.join(SHARED, 'models/ml5'),
      vectors: path.join(SHARED, 'testvectors'),
      images: path.join(SHARED, 'images/content'),
    });
    browser = await launchChromium();
    page = await browser.newPage();
    // The page itself is served from memory at the server's origin, so ml5's fetches are same-origin.
    await page.route(`${server.url}index.html`, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: PAGE_HTML }),
    );
    await page.goto(`${server.url}index.html`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function runMl5(
    model: string,
    source: InputSource,
  ): Promise<{ run: Ml5Run; input: Rgb8; output: Rgb8 }> {
    const run = await page.evaluate(
      ([modelUrl, src]) => (globalThis as unknown as { oracle: OraclePage }).oracle.stylize(modelUrl, src),
      [`/models/${model}/`, source] as const,
    );
    expect(run.ml5Version).toBe('0.12.2');
    // Anything but float32 WebGL would make this a different oracle than the one the vectors came from.
    expect(run.backend).toBe('webgl');
    expect(run.renderFloat32).toBe(true);
    const input = { data: Uint8Array.from(run.inputRgb), width: source.width, height: source.height };
    return { run, input, output: await decodePngDataUrl(run.outputPngDataUrl) };
  }

  test('harness: ml5 reproduces the harriet128_udnie test vector', async () => {
    const vector = 'harriet128_udnie';
    const { run, input, output } = await runMl5('udnie', {
      kind: 'rgb',
      url: `/vectors/${vector}.input.rgb`,
      width: 128,
      height: 128,
    });
    // The network saw exactly the vector's input pixels.
    const expectedInput = new Uint8Array(
      await readFile(path.join(SHARED, `testvectors/${vector}.input.rgb`)),
    );
    expect(Buffer.compare(input.data, expectedInput)).toBe(0);

    const expected = {
      data: new Uint8Array(await readFile(path.join(SHARED, `testvectors/${vector}.out.rgb`))),
      width: 128,
      height: 128,
    };
    const agreement = compareRgb8(output, expected);
    console.log(
      `harness ${vector}: WebGL${run.webglVersion}, transfer ${run.transferMs.toFixed(0)} ms`,
      agreement,
    );
    await savePng(output, `${vector}.ml5.png`);
    // The vectors README: ml5 in Chromium matched them bit-exactly or with at most 2 values off by one.
    expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1);
    expect(agreement.mismatches).toBeLessThanOrEqual(2);
  });

  test('oracle: the ORT engine matches ml5 on a photo and model not in the vectors', async () => {
    // face.jpg (1279x959) downscaled by Chromium to an odd size: SwiftShader stays fast, and the
    // output (4 * ceil(side / 4) = 164x124) exercises SAME padding on uneven sides against real ml5.
    const width = 161;
    const height = 121;
    const started = performance.now();
    const { run, input, output } = await runMl5('la_muse', {
      kind: 'photo',
      url: '/images/face.jpg',
      width,
      height,
    });

    const network = await createOrtBackend({ provider: 'cpu' }).load(
      await readMl5Model(path.join(SHARED, 'models/ml5/la_muse')),
    );
    let engine: Rgb8;
    try {
      const raw = await network.run({ data: Float32Array.from(input.data), height, width });
      engine = { data: toMl5Uint8(raw.data), width: raw.width, height: raw.height };
    } finally {
      await network.dispose();
    }

    // Both sides produce 4 * ceil(side / 4); a size difference is an engine bug, not something to crop away.
    expect([output.width, output.height]).toEqual([164, 124]);
    const agreement = compareRgb8(engine, output);
    console.log(
      `oracle la_muse ${width}x${height}: ml5 transfer ${run.transferMs.toFixed(0)} ms, ` +
        `whole comparison ${(performance.now() - started).toFixed(0)} ms`,
      agreement,
    );
    await Promise.all([
      savePng(input, 'face_la_muse.input.png'),
      savePng(output, 'face_la_muse.ml5.png'),
      savePng(engine, 'face_la_muse.engine-ort.png'),
    ]);
    // Both compute in float32, only in a different order (GPU shaders vs CPU kernels): float outputs
    // agree to ~0.002 of 0..255 (README), far below one uint8 step (255/256), so a value can only
    // flip when it sits on a floor() boundary: rarely, and by exactly 1. More than that is a real bug.
    expect(agreement.mismatches).toBeLessThanOrEqual(agreement.total * 0.001);
    expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1);
  });
});
