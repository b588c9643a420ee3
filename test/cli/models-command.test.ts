/**
 * `stylemirror models` through the built CLI, in its own STYLEMIRROR_HOME: a zipped ml5 training run
 * imported into the library, then `stylize --model <id>` painting a test vector's input exactly as
 * ml5.js 0.12.2 does (its recorded output, within the engine's usual tolerance); rename and remove.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countUint8Mismatches, loadVectors, SHARED_DIR, type TestVector } from '../support/testvectors.js';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

function cli(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/stylemirror.js'), ...args],
      { cwd: home, env: { ...process.env, STYLEMIRROR_HOME: home, NO_COLOR: '1' }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout,
          stderr,
        }),
    );
  });
}

/** A training run as a zip: the model one folder deep, with the run's leftovers beside it. */
async function zipTrainingRun(modelDir: string, zipFile: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const name of await readdir(modelDir)) zip.addFile(path.join(modelDir, name), `my_scream/${name}`);
  zip.addBuffer(Buffer.from('junk'), '__MACOSX/my_scream/._manifest.json');
  zip.end();
  const { createWriteStream } = await import('node:fs');
  await new Promise<void>((resolve, reject) =>
    zip.outputStream.pipe(createWriteStream(zipFile)).on('close', resolve).on('error', reject),
  );
}

describe.skipIf(!existsSync(path.join(SHARED_DIR, 'testvectors')))('stylemirror models (built)', () => {
  let home: string;
  let vector: TestVector;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'stylemirror-models-cli-'));
    const vectors = await loadVectors();
    vector = vectors.find((v) => v.model === 'scream' && v.name.startsWith('harriet128'))!;
    expect(vector).toBeDefined();
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('imports a zipped training run, and stylize --model <id> paints as ml5.js does', async () => {
    const zipFile = path.join(home, 'my_scream_run.zip');
    await zipTrainingRun(vector.modelDir, zipFile);
    const imported = await cli(home, ['models', 'import', zipFile]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Added "My Scream Run" \(ml5\) as library:my_scream_run\./);

    const listed = await cli(home, ['models', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'library:my_scream_run', source: 'library', editable: true }),
      ]),
    );

    const input = path.join(home, 'input.png');
    await sharp(Buffer.from(vector.input), {
      raw: { width: vector.inputWidth, height: vector.inputHeight, channels: 3 },
    })
      .png()
      .toFile(input);
    const output = path.join(home, 'painted.png');
    const painted = await cli(home, [
      'stylize',
      '--backend',
      'ort',
      // ml5's arithmetic: auto would run int8 on a CPU with fast int8 (within 30 dB, not within 1 level).
      '--precision',
      'fp32',
      '--model',
      'library:my_scream_run',
      '-o',
      output,
      input,
    ]);
    expect(painted.code, painted.stderr).toBe(0);
    const { data, info } = await sharp(output).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([vector.outputWidth, vector.outputHeight]);
    // The engine's usual tolerance against ml5's rendered pixels: within 1, on all but 0.1% of values.
    expect(countUint8Mismatches(new Uint8Array(data), vector.expectedRgb, 1)).toBeLessThanOrEqual(
      Math.floor(vector.expectedRgb.length * 0.001),
    );
  });

  it('renames and removes a library style, and refuses to remove a bundled one', async () => {
    expect(
      (await cli(home, ['models', 'rename', 'library:my_scream_run', 'The Scream (mine)'])).stdout,
    ).toMatch(/Renamed library:my_scream_run to "The Scream \(mine\)"/);
    const bundled = await cli(home, ['models', 'remove', 'bundled:matta', '--yes']);
    expect(bundled.code).not.toBe(0);
    expect(bundled.stderr).toMatch(/bundled with Style Mirror/);
    const removed = await cli(home, ['models', 'remove', 'library:my_scream_run', '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await readdir(path.join(home, 'library'))).toEqual([]);
  });

  it('refuses a zip that is not a style, naming the problem, and adds nothing', async () => {
    const zipFile = path.join(home, 'not-a-style.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('hello'), 'notes/readme.txt');
    zip.end();
    const { createWriteStream } = await import('node:fs');
    await new Promise<void>((resolve) =>
      zip.outputStream.pipe(createWriteStream(zipFile)).on('close', resolve),
    );
    const result = await cli(home, ['models', 'import', zipFile]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not-a-style\.zip|manifest\.json|model/);
    expect(await readdir(path.join(home, 'library'))).toEqual([]);
  });
});
