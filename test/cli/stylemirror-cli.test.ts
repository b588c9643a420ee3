import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, withCameraNoise } from '../../main/cli/camera-noise.js';
import { psnr } from '../../main/engine/backends/ort/int8-calibration.js';
import { PHOTO, meanAbsDiff, photoFrame } from '../support/photos.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MODELS = path.resolve(REPO_ROOT, '../shared/models/ml5');
const BUILT_CLI = path.join(REPO_ROOT, 'dist/main/cli/stylemirror.js');

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/stylemirror.js ...args` from the repo root; never throws for a non-zero exit. */
function cli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args],
      {
        cwd: REPO_ROOT,
        // Models by id come from the shared folder; no colour codes in the output we match on. (int8
        // calibrations go to this test file's own STYLEMIRROR_HOME, inherited.)
        env: { ...process.env, STYLEMIRROR_MODELS: MODELS, NO_COLOR: '1', FORCE_COLOR: '0' },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
      },
    );
  });
}

async function pixels(
  file: string,
): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('stylemirror CLI (built)', () => {
  let dir: string;
  let inputPixels: Awaited<ReturnType<typeof pixels>>;

  beforeAll(async () => {
    if (!existsSync(BUILT_CLI)) {
      throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (\`npm test\` does).`);
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-cli-'));
    inputPixels = await pixels(PHOTO);
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('--help lists the stylize and bench commands', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+stylize \[options\] <input\.\.\.>/m);
    expect(run.stdout).toMatch(/^\s+bench \[options\]/m);
  });

  it('stylizes one JPEG into a PNG of the same size that is not the photo', async () => {
    const output = path.join(dir, 'one', 'harriet-udnie.png');
    const run = await cli(['stylize', PHOTO, '-m', 'udnie', '-o', output, '--backend', 'ort']);
    expect(run.stderr).not.toMatch(/FAILED|failed/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/model udnie on ort/);
    expect(run.stdout).toMatch(/network at 128x128/);

    const meta = await sharp(output).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([inputPixels.width, inputPixels.height]);
    const out = await pixels(output);
    expect(meanAbsDiff(out.data, inputPixels.data)).toBeGreaterThan(20);
  });

  it('stylizes a folder of images into <name>.<model>.<ext> files, skipping non-images', async () => {
    const inputs = path.join(dir, 'folder-in');
    await mkdir(inputs);
    await copyFile(PHOTO, path.join(inputs, 'portrait.jpg'));
    await sharp(PHOTO).resize(64, 48, { fit: 'fill' }).png().toFile(path.join(inputs, 'small.png'));
    await writeFile(path.join(inputs, 'notes.txt'), 'not an image');
    const outputs = path.join(dir, 'folder-out');

    // The model given by path: its folder name names the outputs.
    const run = await cli(['stylize', inputs, '-m', path.join(MODELS, 'wave'), '-o', outputs, '-b', 'ort']);
    expect(run.code).toBe(0);
    expect((await readdir(outputs)).sort()).toEqual(['portrait.wave.jpg', 'small.wave.png']);

    const portrait = await sharp(path.join(outputs, 'portrait.wave.jpg')).metadata();
    expect([portrait.format, portrait.width, portrait.height]).toEqual(['jpeg', 128, 128]);
    const small = await sharp(path.join(outputs, 'small.wave.png')).metadata();
    expect([small.format, small.width, small.height]).toEqual(['png', 64, 48]);
  });

  it('takes --size, --strength and --preserve-colors', async () => {
    const full = path.join(dir, 'full.png');
    const soft = path.join(dir, 'soft.png');
    expect((await cli(['stylize', PHOTO, '-m', 'udnie', '-o', full, '-b', 'ort'])).code).toBe(0);
    const run = await cli([
      'stylize',
      PHOTO,
      '-m',
      'udnie',
      '-o',
      soft,
      '-b',
      'ort',
      '--size',
      '64x48',
      '--strength',
      '0.5',
      '--preserve-colors',
    ]);
    expect(run.code).toBe(0);
    // 128x128 fitted into 64x48 is 48x48.
    expect(run.stdout).toMatch(/network at 48x48/);

    const out = await pixels(soft);
    expect([out.width, out.height]).toEqual([128, 128]);
    const fullOut = await pixels(full);
    // Half strength in the photo's colours: much nearer the photo than the full style is.
    const softToPhoto = meanAbsDiff(out.data, inputPixels.data);
    const fullToPhoto = meanAbsDiff(fullOut.data, inputPixels.data);
    expect(softToPhoto).toBeGreaterThan(2);
    expect(softToPhoto).toBeLessThan(0.75 * fullToPhoto);
  });

  it.each([
    ['--size', 'abc'],
    ['--size', '0x0'],
    ['--size', '64x5000'],
    ['--strength', '1.5'],
    ['--strength', 'strong'],
    ['--backend', 'gpu'],
    ['--precision', 'int4'],
  ])('refuses %s %s, naming the option, before writing anything', async (option, value) => {
    const output = path.join(dir, `bad-${option.slice(2)}-${value}.png`);
    const run = await cli(['stylize', PHOTO, '-m', 'udnie', '-o', output, '-b', 'ort', option, value]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(option);
    expect(run.stderr).toContain(`'${value}' is invalid`);
    expect(existsSync(output)).toBe(false);
  });

  it('runs the precision asked for and says why, int8 within 30 dB of float32', async () => {
    const outputs = { fp32: path.join(dir, 'fp32.png'), int8: path.join(dir, 'int8.png') };
    for (const precision of ['fp32', 'int8'] as const) {
      const run = await cli([
        'stylize',
        PHOTO,
        '-m',
        'udnie',
        '-o',
        outputs[precision],
        '-b',
        'ort',
        '-p',
        precision,
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`model udnie on ort \\(cpu, CPU, ${precision}\\)`));
      expect(run.stdout).toContain(
        `precision ${precision}: ${precision === 'fp32' ? 'float32' : 'int8'} as asked`,
      );
    }
    const [fp32, int8] = await Promise.all([pixels(outputs.fp32), pixels(outputs.int8)]);
    expect(psnr(fp32.data, int8.data)).toBeGreaterThanOrEqual(30);
  });

  it('names a model it cannot find and exits 2', async () => {
    const output = path.join(dir, 'missing-model.png');
    const run = await cli(['stylize', PHOTO, '-m', 'no_such_style', '-o', output, '-b', 'ort']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No style model "no_such_style"/);
    // It says what there is instead.
    expect(run.stderr).toMatch(/Known models: .*udnie/);
    expect(existsSync(output)).toBe(false);
  });

  it('reports a corrupt image as FAILED, still writes the others, and exits 1', async () => {
    const inputs = path.join(dir, 'corrupt-in');
    await mkdir(inputs);
    await copyFile(PHOTO, path.join(inputs, 'good.jpg'));
    await writeFile(path.join(inputs, 'broken.png'), Buffer.from('this is not a PNG at all, just bytes'));
    const outputs = path.join(dir, 'corrupt-out');

    const run = await cli(['stylize', inputs, '-m', 'udnie', '-o', outputs, '-b', 'ort']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/broken\.png: FAILED: /);
    expect(run.stdout).not.toMatch(/good\.jpg: FAILED/);
    expect(run.stderr).toMatch(/1 of 2 images failed/);
    expect(await readdir(outputs)).toEqual(['good.udnie.jpg']);
    const meta = await sharp(path.join(outputs, 'good.udnie.jpg')).metadata();
    expect([meta.width, meta.height]).toEqual([128, 128]);
  });

  it('--stabilize steadies a folder of noisy frames of a still scene, taken in natural name order', async () => {
    const inputs = path.join(dir, 'frames-in');
    await mkdir(inputs);
    const photo = await photoFrame(128, 128, 3);
    const random = seededRandom(3);
    for (let i = 1; i <= 12; i++) {
      const { data } = withCameraNoise(photo, 3, random);
      await sharp(data, { raw: { width: 128, height: 128, channels: 3 } })
        .png()
        .toFile(path.join(inputs, `frame${i}.png`));
    }
    const painted = path.join(dir, 'frames-painted');
    const steadied = path.join(dir, 'frames-steadied');
    expect((await cli(['stylize', inputs, '-m', 'udnie', '-o', painted, '-b', 'ort'])).code).toBe(0);
    const run = await cli(['stylize', inputs, '-m', 'udnie', '-o', steadied, '-b', 'ort', '--stabilize']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/stabilising 12 images as consecutive frames/);
    expect(run.stdout.indexOf('frame2.png')).toBeLessThan(run.stdout.indexOf('frame10.png'));

    /** Mean absolute difference between consecutive frames of a folder's outputs. */
    const flicker = async (folder: string) => {
      const frames = [];
      for (let i = 1; i <= 12; i++)
        frames.push((await pixels(path.join(folder, `frame${i}.udnie.png`))).data);
      let sum = 0;
      for (let i = 1; i < frames.length; i++) sum += meanAbsDiff(frames[i - 1]!, frames[i]!);
      return sum / (frames.length - 1);
    };
    const paintedFlicker = await flicker(painted);
    expect(paintedFlicker).toBeGreaterThan(1);
    expect(await flicker(steadied)).toBeLessThan(paintedFlicker / 3);
  });
});
